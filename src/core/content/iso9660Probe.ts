// ISO 9660 (ECMA-119): the volume descriptor set from sector 16 (byte 32768),
// 2048 bytes each, with a Joliet supplementary descriptor's UCS-2 label
// preferred when it says more than the primary's.
import { Iso9660Descriptor } from '../generated/Iso9660Descriptor';
import type { ContentProbe, VolumeContent } from './probe';
import { bytesEqual, labelText } from './probe';
import { parseFields } from './fields';

const DESCRIPTORS_OFFSET = 0x8000;
const DESCRIPTOR_BYTES = 2048;
/** Bytes of a descriptor the spec covers (through file_structure_version). */
const DESCRIPTOR_WINDOW = 882;
/** Descriptors after the primary looked at for a Joliet one. */
const MAX_EXTRA_DESCRIPTORS = 4;

export const iso9660Probe: ContentProbe = {
  id: 'iso9660',
  types: ['iso9660'],
  minSectors: (DESCRIPTORS_OFFSET + DESCRIPTOR_BYTES) / 512,
  async probe(reader) {
    const bytes = await reader.read(DESCRIPTORS_OFFSET, DESCRIPTOR_WINDOW);
    if (!bytes || bytes[0] !== 1 || !bytesEqual(bytes, 1, 'CD001')) return null;
    const f = parseFields('iso9660Primary', Iso9660Descriptor, bytes, reader.offset + DESCRIPTORS_OFFSET);
    if (!f) return null;
    const content: VolumeContent = {
      type: 'iso9660',
      offset: reader.offset,
      sizeBytes: BigInt(f.num('volumeSpaceSize')) * BigInt(f.num('logicalBlockSize')),
      structures: [f.node],
    };
    const uuid = isoDateUuid(f.raw('modificationTime')) ?? isoDateUuid(f.raw('creationTime'));
    if (uuid) content.uuid = uuid;
    let label = labelText(f.raw('volumeId'), 'latin1');
    for (let i = 1; i <= MAX_EXTRA_DESCRIPTORS; i++) {
      const at = DESCRIPTORS_OFFSET + i * DESCRIPTOR_BYTES;
      const next = await reader.read(at, DESCRIPTOR_WINDOW);
      if (!next || next[0] === 255 || !bytesEqual(next, 1, 'CD001')) break;
      if (next[0] !== 2 || !['%/@', '%/C', '%/E'].some((e) => bytesEqual(next, 88, e))) continue;
      const joliet = parseFields('iso9660Joliet', Iso9660Descriptor, next, reader.offset + at);
      if (!joliet) break;
      content.version = 'Joliet Extension';
      content.structures.push(joliet.node);
      const wide = ucs2beText(joliet.raw('volumeId'));
      // The Joliet label wins unless it is just the primary one in UCS-2.
      if (wide !== undefined && wide !== label) label = wide;
      break;
    }
    if (label !== undefined) content.label = label;
    return content;
  },
};

// "YYYYMMDDHHMMSScc" + zone; blkid turns it into YYYY-MM-DD-HH-MM-SS-cc. All '0' with zone 0 means unset.
function isoDateUuid(raw: Uint8Array): string | undefined {
  const digits = Buffer.from(raw.subarray(0, 16)).toString('latin1');
  if (/^0{16}$/.test(digits) && raw[16] === 0) return undefined;
  if (raw.subarray(0, 16).every((b) => b === 0)) return undefined;
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}-${digits.slice(8, 10)}-${digits.slice(10, 12)}-${digits.slice(12, 14)}-${digits.slice(14, 16)}`;
}

function ucs2beText(raw: Uint8Array): string | undefined {
  const swapped = Buffer.from(raw);
  swapped.swap16();
  let end = 0;
  while (end + 1 < swapped.length && (swapped[end] !== 0 || swapped[end + 1] !== 0)) end += 2;
  const text = swapped.subarray(0, end).toString('utf16le').replace(/ +$/, '');
  return text.length ? text : undefined;
}
