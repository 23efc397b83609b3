// What a proposed table is (propose.ts makes one, rebuild.ts writes it), and
// the usable range of the GPT it becomes.
import { MIN_ENTRY_ARRAY_RESERVED_BYTES } from '../limits';
import { renderMessage } from '../../shared/l10n';
import type { Message } from '../../shared/l10n';

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
  /** From a stray GPT found shifted: the sectors its LBAs were moved by (found LBA - MyLBA). */
  shift?: bigint;
  partitions: ProposedPartition[];
  /** The file system made on the whole disk that the table is written over (set aside: it holds no file). */
  overwrites?: { firstLba: bigint; lastLba: bigint; type: string; label?: string; uuid?: string };
  /** Why this proposal, for the user (msg() templates: the CLI prints their English, the editor translates them). */
  reasons: Message[];
}

/** The proposal, or the reason there is none (`reason` in English, `reasonText` its template). */
export type ProposalResult = { ok: true; proposal: Proposal } | { ok: false; reason: string; reasonText: Message };

/** A ProposalResult that says why there is no proposal. */
export function noProposal(reasonText: Message): ProposalResult {
  return { ok: false, reason: renderMessage(reasonText), reasonText };
}

/** The GPT usable range of a disk of `totalSectors` with a 128-entry array. */
export function gptUsableRange(totalSectors: bigint, sectorSize: number): { firstUsable: bigint; lastUsable: bigint } {
  const arraySectors = BigInt(Math.ceil(MIN_ENTRY_ARRAY_RESERVED_BYTES / sectorSize));
  return { firstUsable: 2n + arraySectors, lastUsable: totalSectors - 2n - arraySectors };
}
