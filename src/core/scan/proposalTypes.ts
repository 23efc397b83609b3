// What a proposed table is (propose.ts makes one, rebuild.ts writes it).

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
  /** The layout recognised: an ESXi installer's (source esxi-layout) or Windows Setup's (source volumes, the MSR put back). */
  layout?: 'esxi-5' | 'esxi-6' | 'esxi-7' | 'windows';
  diskGuid?: string;
  partitions: ProposedPartition[];
  /** The file system made on the whole disk that the table is written over (set aside: it holds no file). */
  overwrites?: { firstLba: bigint; lastLba: bigint; type: string; label?: string; uuid?: string };
  /** Why this proposal, for the user. */
  reasons: string[];
}

/** The proposal, or the reason there is none. */
export type ProposalResult = { ok: true; proposal: Proposal } | { ok: false; reason: string };
