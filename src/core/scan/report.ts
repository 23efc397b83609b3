// The `diskx scan --json` document and its text form, built from a scan and
// the proposal made from it.
import type { ScanResult, FoundVolume } from './scanner';
import type { Proposal, ProposalResult } from './propose';
import type { StrayTable } from './tables';
import { jsonInteger, formatAttributes } from '../report';
import { gptTypeName, mbrTypeName } from '../partitionTypes';
import { renderMessage } from '../../shared/l10n';

function contentJson(v: FoundVolume) {
  const c = v.content;
  return {
    type: c.type,
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.label !== undefined ? { label: c.label } : {}),
    ...(c.uuid !== undefined ? { uuid: c.uuid } : {}),
    ...(c.sizeBytes !== undefined ? { sizeBytes: jsonInteger(c.sizeBytes) } : {}),
  };
}

function tableJson(t: StrayTable) {
  if (t.kind === 'mbr')
    return { kind: t.kind, lba: jsonInteger(t.lba), diskSignature: `0x${t.diskSignature.toString(16).padStart(8, '0')}`, records: t.records };
  return {
    kind: t.kind,
    lba: jsonInteger(t.lba),
    myLba: jsonInteger(t.myLba),
    alternateLba: jsonInteger(t.alternateLba),
    shift: jsonInteger(t.shift),
    headerCrcOk: t.headerCrcOk,
    arrayCrcOk: t.arrayCrcOk,
    diskGuid: t.diskGuid,
    entries: t.entries.map((e) => ({
      slot: e.slot,
      firstLba: jsonInteger(e.firstLba),
      lastLba: jsonInteger(e.lastLba),
      typeGuid: e.typeGuid,
      uuid: e.uniqueGuid,
      name: e.name,
      attributes: formatAttributes(e.attributes),
    })),
  };
}

function overwritesJson(o: NonNullable<Proposal['overwrites']>) {
  return {
    firstLba: jsonInteger(o.firstLba),
    lastLba: jsonInteger(o.lastLba),
    type: o.type,
    ...(o.label !== undefined ? { label: o.label } : {}),
    ...(o.uuid !== undefined ? { uuid: o.uuid } : {}),
  };
}

/** The `diskx scan --json` document. */
export function scanJson(image: string, scan: ScanResult, proposal: ProposalResult) {
  return {
    image,
    sectorSize: scan.sectorSize,
    range: { firstLba: jsonInteger(scan.range.firstLba), lastLba: jsonInteger(scan.range.lastLba) },
    volumes: scan.volumes.map((v) => ({
      firstLba: jsonInteger(v.firstLba),
      ...(v.lastLba !== undefined ? { lastLba: jsonInteger(v.lastLba) } : {}),
      content: contentJson(v),
      evidence: v.evidence,
      confidence: v.confidence,
      ...(v.nestedIn !== undefined ? { nestedIn: jsonInteger(v.nestedIn / scan.sectorSize) } : {}),
      ...(v.overlaps !== undefined ? { overlaps: jsonInteger(v.overlaps / scan.sectorSize) } : {}),
      ...(v.conflictsWith !== undefined ? { conflictsWith: v.conflictsWith.map((at) => jsonInteger(at / scan.sectorSize)) } : {}),
      ...(v.holdsFiles !== undefined ? { holdsFiles: v.holdsFiles } : {}),
    })),
    tables: scan.tables.map(tableJson),
    truncated: scan.truncated,
    proposal: proposal.ok
      ? {
          scheme: proposal.proposal.scheme,
          source: proposal.proposal.source,
          ...(proposal.proposal.layout ? { layout: proposal.proposal.layout } : {}),
          ...(proposal.proposal.overwrites ? { overwrites: overwritesJson(proposal.proposal.overwrites) } : {}),
          ...(proposal.proposal.shift !== undefined ? { shift: jsonInteger(proposal.proposal.shift) } : {}),
          partitions: [...proposal.proposal.partitions]
            .sort((a, b) => a.slot - b.slot)
            .map((p) => ({
              slot: p.slot,
              firstLba: jsonInteger(p.firstLba),
              lastLba: jsonInteger(p.lastLba),
              ...(p.typeGuid ? { typeGuid: p.typeGuid } : { mbrType: `0x${p.mbrType!.toString(16).padStart(2, '0')}` }),
              ...(p.name ? { name: p.name } : {}),
              role: p.role,
            })),
          reasons: proposal.proposal.reasons.map((r) => renderMessage(r)),
        }
      : null,
    ...(proposal.ok ? {} : { noProposal: proposal.reason }),
  };
}

/** The text report of a scan. */
export function formatScan(image: string, scan: ScanResult, proposal: ProposalResult): string {
  const lines = [
    `Scanned ${image}: LBA ${scan.range.firstLba}..${scan.range.lastLba} (${scan.sectorSize}-byte sectors), ${(scan.bytesRead / 1048576).toFixed(1)} MiB read`,
  ];
  lines.push('', `Volumes found: ${scan.volumes.length}${scan.truncated ? ' (more candidates than kept: scan smaller ranges)' : ''}`);
  for (const v of scan.volumes) {
    const c = v.content;
    const extent = v.lastLba !== undefined ? `LBA ${v.firstLba}..${v.lastLba}` : `LBA ${v.firstLba}..?`;
    const tags = [
      c.label ? `label "${c.label}"` : '',
      c.uuid ? `UUID ${c.uuid}` : '',
      `confidence ${v.confidence}`,
      v.nestedIn !== undefined ? `inside the volume at LBA ${v.nestedIn / scan.sectorSize}` : '',
      v.overlaps !== undefined ? `OVERLAPS the volume at LBA ${v.overlaps / scan.sectorSize}` : '',
      v.conflictsWith !== undefined ? `CONFLICTS with LBA ${v.conflictsWith.map((at) => at / scan.sectorSize).join(', ')}` : '',
    ].filter(Boolean);
    lines.push(`  ${extent.padEnd(28)} ${c.type.padEnd(18)} ${tags.join(', ')}`);
    for (const e of v.evidence) lines.push(`      ${e}`);
  }
  if (scan.tables.length) {
    lines.push('', `Stray tables: ${scan.tables.length}`);
    for (const t of scan.tables) {
      if (t.kind === 'gpt')
        lines.push(
          `  GPT header at LBA ${t.lba} (MyLBA ${t.myLba}${t.shift !== 0n ? `, shifted by ${t.shift}` : ''}): header CRC ${t.headerCrcOk ? 'ok' : 'bad'}, array CRC ${t.arrayCrcOk === null ? 'unread' : t.arrayCrcOk ? 'ok' : 'bad'}, ${t.entries.length} entries`,
        );
      else lines.push(`  MBR/EBR records at LBA ${t.lba}: ${t.records.map((r) => `0x${r.type.toString(16)} at ${r.firstLba} (+${r.sectors})`).join(', ')}`);
    }
  }
  lines.push('');
  if (!proposal.ok) {
    lines.push(`No table proposed: ${proposal.reason}`);
    return lines.join('\n');
  }
  const p = proposal.proposal;
  lines.push(`Proposed ${p.scheme.toUpperCase()}${p.layout ? ` (${p.layout} layout)` : ''}:`);
  for (const r of p.reasons) lines.push(`  ${renderMessage(r)}`);
  lines.push('  number slot  first LBA    last LBA     type');
  for (const part of [...p.partitions].sort((a, b) => a.slot - b.slot)) {
    const type = part.typeGuid
      ? (gptTypeName(part.typeGuid) ?? part.typeGuid)
      : `0x${part.mbrType!.toString(16).padStart(2, '0')} ${mbrTypeName(part.mbrType!) ?? ''}`;
    lines.push(
      `  ${String(part.slot + 1).padStart(6)} ${String(part.slot).padStart(4)}  ${String(part.firstLba).padEnd(12)} ${String(part.lastLba).padEnd(12)} ${type} (${part.role})`,
    );
  }
  if (p.overwrites)
    lines.push(
      '',
      `Writing it OVERWRITES the ${p.overwrites.type} file system made on the whole disk (LBA ${p.overwrites.firstLba}..${p.overwrites.lastLba}).`,
      `Write it with: diskx fix ${image} --fix rebuild-from-scan (a dry run; add --write --allow-overwrite-volume)`,
    );
  else lines.push('', `Write it with: diskx fix ${image} --fix rebuild-from-scan (a dry run; add --write)`);
  return lines.join('\n');
}
