// Names the fields a patch touches, from the Kaitai byte ranges: the dry run
// prints them next to each patch ("primaryHeader.headerCrc32"). Where the model
// parsed a structure at the patch's place we use its field tree; where nothing
// was parsed (a new backup at the end of a grown disk, a wiped primary) we parse
// the bytes as they will be after the patch with our generated parsers.
import type { DiskModel } from '../model';
import type { Patch } from '../patch';
import type { Field, StructNode } from '../structure';
import { parseStruct } from '../structure';
import type { KaitaiConstructor } from '../kaitaiTypes';
import { GptHeader as GptHeaderParser } from '../generated/GptHeader';
import { GptPartitionArray as GptPartitionArrayParser } from '../generated/GptPartitionArray';
import { Mbr as MbrParser } from '../generated/Mbr';
import { currentBytes, lbaOffset } from './shared';
import { parseEntryField } from '../diskModel';

/** A structure that lives at a known place, and how to parse it. */
interface Placement {
  name: string;
  offset: number;
  length: number;
  parser: KaitaiConstructor;
  params: number[];
  /** For an entry array: SizeOfPartitionEntry; only the entries a patch touches are parsed. */
  entrySize?: number;
}

/**
 * Names of the fields `patch` writes, outermost first: a field wholly covered is
 * named as a whole (`primaryArray.entries.4`), a partly covered one by the leaves
 * it touches (`backupHeader.headerCrc32`); a structure wholly covered is named
 * alone (`backupHeader`). Bytes that belong to no known structure are named by
 * their LBA range.
 */
export function annotatePatch(disk: DiskModel, patch: Patch): string[] {
  const start = patch.offset;
  const end = patch.offset + patch.after.length;
  const names: string[] = [];
  const claimed = new Uint8Array(end - start);
  for (const place of placements(disk)) {
    const from = Math.max(start, place.offset);
    const to = Math.min(end, place.offset + place.length);
    if (from >= to) continue;
    if (claimed.subarray(from - start, to - start).every((c) => c === 1)) continue;
    claimed.fill(1, from - start, to - start);
    let node: StructNode;
    try {
      node = place.entrySize ? touchedEntries(disk, patch, place, place.entrySize, from, to) : parsePatched(disk, patch, place);
    } catch {
      names.push(`${place.name} (bytes ${from - place.offset}..${to - place.offset - 1}, unparsable)`);
      continue;
    }
    names.push(...coveredNames(node, from, to));
  }
  const unclaimed: number[] = [];
  for (let i = 0; i < claimed.length; i++) if (!claimed[i]) unclaimed.push(start + i);
  if (unclaimed.length > 0) {
    const firstLba = Math.floor(unclaimed[0]! / disk.sectorSize);
    const lastLba = Math.floor(unclaimed[unclaimed.length - 1]! / disk.sectorSize);
    names.push(`${unclaimed.length} bytes outside any GPT/MBR structure (LBA ${firstLba === lastLba ? firstLba : `${firstLba}..${lastLba}`})`);
  }
  return names;
}

/** "primary header: headerCrc32, partitionEntryArrayCrc32" style one-liner for a patch. */
export function summarizePatchFields(disk: DiskModel, patch: Patch): string {
  const byStruct = new Map<string, string[]>();
  for (const name of annotatePatch(disk, patch)) {
    const dot = name.indexOf('.');
    const struct = dot < 0 ? name : name.slice(0, dot);
    const rest = dot < 0 ? '' : name.slice(dot + 1);
    const list = byStruct.get(struct) ?? [];
    if (rest) list.push(rest);
    byStruct.set(struct, list);
  }
  return [...byStruct.entries()].map(([struct, fields]) => (fields.length > 0 ? `${struct}: ${fields.join(', ')}` : `${struct} (whole)`)).join('; ');
}

// Parsed structures first (they are where the headers really point), then the
// places the rules give a GPT (UEFI 5.3.1), for bytes a fix writes where none was parsed.
function placements(disk: DiskModel): Placement[] {
  const { sectorSize } = disk;
  const list: Placement[] = [{ name: 'mbr', offset: 0, length: 512, parser: MbrParser, params: [sectorSize] }];
  for (const header of [disk.primary, disk.backup]) {
    if (!header) continue;
    list.push({ name: `${header.role}Header`, offset: header.offset, length: sectorSize, parser: GptHeaderParser, params: [sectorSize] });
    if (header.array) {
      list.push({
        name: `${header.role}Array`,
        offset: header.array.offset,
        length: header.array.bytes.length,
        parser: GptPartitionArrayParser,
        params: [header.numPartitionEntries, header.partitionEntrySize],
        entrySize: header.partitionEntrySize,
      });
    }
  }
  const geometry = [disk.primary, disk.backup].find((h) => h && h.invalid.length === 0);
  const entries = geometry?.numPartitionEntries ?? 128;
  const entrySize = geometry?.partitionEntrySize ?? 128;
  const arraySectors = Math.ceil((entries * entrySize) / sectorSize);
  const arrayLength = entries * entrySize;
  list.push(
    { name: 'primaryHeader', offset: sectorSize, length: sectorSize, parser: GptHeaderParser, params: [sectorSize] },
    { name: 'primaryArray', offset: 2 * sectorSize, length: arrayLength, parser: GptPartitionArrayParser, params: [entries, entrySize], entrySize },
    { name: 'backupHeader', offset: lbaOffset(disk.lastLba, sectorSize), length: sectorSize, parser: GptHeaderParser, params: [sectorSize] },
    {
      name: 'backupArray',
      offset: lbaOffset(disk.lastLba - BigInt(arraySectors), sectorSize),
      length: arrayLength,
      parser: GptPartitionArrayParser,
      params: [entries, entrySize],
      entrySize,
    },
  );
  return list.filter((p) => p.offset >= 0 && p.offset + p.length <= disk.sizeBytes);
}

// The bytes as they will be: current bytes (or zeros where unknown) with the patch laid over them.
function patchedWindow(disk: DiskModel, patch: Patch, offset: number, length: number): Uint8Array {
  const window = currentBytes(disk, offset, length) ?? new Uint8Array(length);
  const from = Math.max(patch.offset, offset);
  const to = Math.min(patch.offset + patch.after.length, offset + length);
  if (from < to) window.set(patch.after.subarray(from - patch.offset, to - patch.offset), from - offset);
  return window;
}

function parsePatched(disk: DiskModel, patch: Patch, place: Placement): StructNode {
  return parseStruct(place.name, place.parser, patchedWindow(disk, patch, place.offset, place.length), place.offset, place.params);
}

// An entry array is parsed only where the patch lands (a header may claim 16384
// entries; patches are at most a sector): the touched entries, each through the
// generated parser, under an `entries` field spanning the whole array, so the
// names are those a whole parse gives (`primaryArray.entries.3`).
function touchedEntries(disk: DiskModel, patch: Patch, place: Placement, entrySize: number, from: number, to: number): StructNode {
  const whole: Field = { name: 'entries', path: 'entries', offset: place.offset, length: place.length, raw: new Uint8Array(0), value: null, children: [] };
  const node: StructNode = { name: place.name, offset: place.offset, length: place.length, fields: [whole] };
  if (from <= place.offset && to >= place.offset + place.length) return node; // named as a whole, nothing to parse
  const firstSlot = Math.floor((from - place.offset) / entrySize);
  const lastSlot = Math.floor((to - 1 - place.offset) / entrySize);
  for (let slot = firstSlot; slot <= lastSlot; slot++) {
    const offset = place.offset + slot * entrySize;
    whole.children!.push(parseEntryField(patchedWindow(disk, patch, offset, entrySize), offset, slot));
  }
  return node;
}

function coveredNames(node: StructNode, from: number, to: number): string[] {
  const inside = (f: Field): boolean => f.offset >= from && f.offset + f.length <= to;
  const overlaps = (f: Field): boolean => f.offset < to && f.offset + f.length > from && f.length > 0;
  if (node.fields.every((f) => f.length === 0 || inside(f))) return [node.name];
  const out: string[] = [];
  const walk = (fields: Field[]): void => {
    for (const f of fields) {
      if (!overlaps(f)) continue;
      if (inside(f) || !f.children || f.children.length === 0) out.push(`${node.name}.${f.path}`);
      else walk(f.children);
    }
  };
  walk(node.fields);
  return out;
}
