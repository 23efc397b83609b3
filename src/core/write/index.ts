// Safe writes of fix plans and their undo. See applyPlans.ts for the protocol
// and journal.ts for where the undo journal lives and what it holds.
export { applyPlans } from './applyPlans';
export type { WriteOptions, WriteResult, WriteStep } from './applyPlans';
export { undoLast } from './undo';
export type { UndoOptions, UndoResult } from './undo';
export { journalStatus } from './status';
export type { JournalStatus } from './status';
export { JOURNAL_SUFFIX, readJournal, journalPathFor } from './journal';
export type { Journal, JournalEntry, JournalState } from './journal';
export * from './errors';
export { copyImage, CopyCancelledError, COPY_CHUNK } from './copyImage';
export type { CopyImageOptions, CopyProgress } from './copyImage';
