// Comparing two images: structure (headers field by field, partitions matched
// with their slots), bytes (streaming, bounded memory), and the fix that copies
// a reference's slot layout. The CLI's `diskx diff` and the comparison view use these.
export { structuralDiff, matchPartitions, partitionLabel, fieldValue } from './structuralDiff';
export type { StructuralDiff, PartitionDiff, PartitionStatus, FieldDiff, FieldChange, DiffValue, PartitionMatch } from './structuralDiff';
export { byteDiff, DEFAULT_CHUNK_SIZE, DEFAULT_READ_AHEAD, DEFAULT_MAX_RANGES, MAX_CHUNK_SIZE, MAX_READ_AHEAD, MAX_RANGES_LIMIT } from './byteDiff';
export type { ByteDiffOptions, ByteDiffResult, ByteRange, ByteTail, HoleAware } from './byteDiff';
export { byteDiffInWorker, WorkerDiffError } from './workerDiff';
export type { WorkerDiffOptions } from './workerDiff';
export { ScanFileSource, scanSourceFor, isBulkReadable } from '../io/scanSource';
export type { BulkReadable } from '../io/scanSource';
export { planCopySlotsFromReference, COPY_SLOTS_FROM_REFERENCE } from './copySlots';
