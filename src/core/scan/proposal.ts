// What a lost-partition scan proposes to write: a partition table (GPT or MBR)
// and why. Types only, shared by propose.ts and the layouts it tries (windows.ts).

/** One partition of a proposal. */
export interface ProposedPartition {
  slot: number;
  firstLba: bigint;
  lastLba: bigint;
  /** GPT proposals. */
  typeGuid?: string;
  uniqueGuid?: string;
  attributes?: bigint;
  /** MBR proposals. */
  mbrType?: number;
  name?: string;
  /** What it is (the volume found or the layout's role). */
  role: string;
}

export interface Proposal {
  scheme: 'gpt' | 'mbr';
  /** Where the proposal comes from. */
  source: 'stray-gpt' | 'esxi-layout' | 'volumes';
  /** The ESXi profile when source is esxi-layout. */
  layout?: 'esxi-5' | 'esxi-6' | 'esxi-7' | 'windows';
  diskGuid?: string;
  partitions: ProposedPartition[];
  /** Why this proposal, for the user. */
  reasons: string[];
}

/** The proposal, or the reason there is none. */
export type ProposalResult = { ok: true; proposal: Proposal } | { ok: false; reason: string };
