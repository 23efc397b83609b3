// Probes for volumes that hold other volumes: LUKS, LVM2 physical volumes,
// Linux MD RAID members and VMware VMFS (whose LVM header blkid reports as
// VMFS_volume_member).
import { LuksHeader } from '../generated/LuksHeader';
import { Lvm2Label } from '../generated/Lvm2Label';
import { MdSuperblock } from '../generated/MdSuperblock';
import { Vmfs } from '../generated/Vmfs';
import type { ContentProbe, ProbeReader, VolumeContent } from './probe';
import { bytesEqual, labelText, uuidText } from './probe';
import { parseFields } from './fields';

const LUKS_MAGIC = [...Buffer.from('LUKS'), 0xba, 0xbe];

export const luksProbe: ContentProbe = {
  id: 'luks',
  types: ['crypto_LUKS'],
  minSectors: 1,
  async probe(reader) {
    const bytes = await reader.read(0, 512);
    if (!bytes || !bytesEqual(bytes, 0, LUKS_MAGIC)) return null;
    const version = (bytes[6]! << 8) | bytes[7]!;
    if (version !== 1 && version !== 2) return null;
    const f = parseFields('luksHeader', LuksHeader, bytes, reader.offset);
    if (!f) return null;
    const content: VolumeContent = { type: 'crypto_LUKS', version: String(version), offset: reader.offset, structures: [f.node] };
    const uuid = labelText(f.raw(version === 1 ? 'body.uuid' : 'body.uuid'), 'latin1');
    if (uuid !== undefined) content.uuid = uuid;
    if (version === 2) {
      const label = labelText(f.raw('body.label'));
      if (label !== undefined) content.label = label;
    }
    return content;
  },
};

/** LVM2 writes its label into one of the first four sectors (normally the second). */
const LVM_LABEL_SECTORS = 4;

export const lvm2Probe: ContentProbe = {
  id: 'lvm2',
  types: ['LVM2_member'],
  minSectors: LVM_LABEL_SECTORS,
  async probe(reader) {
    for (let sector = 0; sector < LVM_LABEL_SECTORS; sector++) {
      const bytes = await reader.read(sector * 512, 512);
      if (!bytes) return null;
      if (!bytesEqual(bytes, 0, 'LABELONE') || !bytesEqual(bytes, 24, 'LVM2 001')) continue;
      const f = parseFields('lvm2Label', Lvm2Label, bytes.subarray(0, 72), reader.offset + sector * 512);
      if (!f || f.big('sectorXl') !== BigInt(sector) || f.num('offsetXl') !== 32) continue;
      const id = Buffer.from(f.raw('pvUuid')).toString('latin1');
      // The PV UUID is 32 characters, shown as 6-4-4-4-4-4-6.
      const uuid = [id.slice(0, 6), id.slice(6, 10), id.slice(10, 14), id.slice(14, 18), id.slice(18, 22), id.slice(22, 26), id.slice(26, 32)].join('-');
      return { type: 'LVM2_member', version: 'LVM2 001', offset: reader.offset, uuid, sizeBytes: f.big('deviceSize'), structures: [f.node] };
    }
    return null;
  },
};

const MD_MAGIC = 0xa92b4efc;
/** 0.90 reserves the last 64 KiB (64 KiB aligned) of a member for its superblock. */
const MD_RESERVED_BYTES = 0x10000;
const MD_WINDOW = 256;

export const mdProbe: ContentProbe = {
  id: 'md',
  types: ['linux_raid_member'],
  minSectors: Math.ceil((0x1000 + MD_WINDOW) / 512),
  async probe(reader) {
    const size = reader.size;
    if (size > MD_RESERVED_BYTES) {
      const v090 = await mdVersion0(reader, Math.floor(size / MD_RESERVED_BYTES) * MD_RESERVED_BYTES - MD_RESERVED_BYTES);
      if (v090) return v090;
      const v10 = await mdVersion1(reader, Math.floor(size / 0x1000) * 0x1000 - 0x2000, '1.0');
      if (v10) return v10;
    }
    return (await mdVersion1(reader, 0, '1.1')) ?? (await mdVersion1(reader, 0x1000, '1.2'));
  },
};

async function mdVersion0(reader: ProbeReader, at: number): Promise<VolumeContent | null> {
  const bytes = await reader.read(at, 64);
  if (!bytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MD_MAGIC) return null;
  const f = parseFields('mdSuperblock', MdSuperblock, bytes, reader.offset + at, [0]);
  if (!f || f.num('majorVersion') !== 0) return null;
  const sizeBytes = f.num('v0.size') * 1024;
  // The data in use and the reserved area must both fit (what md itself requires).
  if (sizeBytes + MD_RESERVED_BYTES > reader.size || at < sizeBytes) return null;
  const minor = f.num('v0.minorVersion');
  const words = [f.num('v0.setUuid0'), ...(minor >= 90 ? [f.num('v0.setUuid1'), f.num('v0.setUuid2'), f.num('v0.setUuid3')] : [0, 0, 0])];
  const uuid = Buffer.alloc(16);
  words.forEach((w, i) => uuid.writeUInt32BE(w >>> 0, i * 4));
  return { type: 'linux_raid_member', version: `0.${minor}.${f.num('v0.patchVersion')}`, offset: reader.offset, uuid: uuidText(uuid), structures: [f.node] };
}

async function mdVersion1(reader: ProbeReader, at: number, version: string): Promise<VolumeContent | null> {
  const bytes = await reader.read(at, MD_WINDOW);
  if (!bytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MD_MAGIC || view.getUint32(4, true) !== 1) return null;
  const f = parseFields('mdSuperblock', MdSuperblock, bytes, reader.offset + at, [1]);
  // A copy elsewhere (a member of a nested array, an old superblock) names another offset.
  if (!f || f.big('v1.superOffset') !== BigInt(at / 512)) return null;
  const content: VolumeContent = {
    type: 'linux_raid_member',
    version,
    offset: reader.offset,
    uuid: uuidText(f.raw('v1.setUuid')),
    sizeBytes: (f.big('v1.dataOffset') + f.big('v1.dataSize')) * 512n,
    structures: [f.node],
  };
  if (version === '1.0') delete content.sizeBytes; // found at the end: its data ends before it by construction
  const label = labelText(f.raw('v1.setName'));
  if (label !== undefined) content.label = label;
  return content;
}

const VMFS_VOLUME_OFFSET = 1024 * 1024;
/** Where blkid looks for the file system descriptor. */
const VMFS_FS_OFFSETS = [2 * 1024 * 1024];

export const vmfsProbe: ContentProbe = {
  id: 'vmfs',
  types: ['VMFS_volume_member', 'VMFS'],
  minSectors: Math.ceil((VMFS_VOLUME_OFFSET + 576) / 512),
  async probe(reader) {
    const volume = await reader.read(VMFS_VOLUME_OFFSET, 576);
    const volumeFields =
      volume && bytesEqual(volume, 0, [0x0d, 0xd0, 0x01, 0xc0]) ? parseFields('vmfsVolume', Vmfs, volume, reader.offset + VMFS_VOLUME_OFFSET, [0]) : null;
    let fs = null;
    for (const at of VMFS_FS_OFFSETS) {
      const bytes = await reader.read(at, 512);
      if (bytes && bytesEqual(bytes, 0, [0x5e, 0xf1, 0xab, 0x2f])) {
        fs = parseFields('vmfsFs', Vmfs, bytes, reader.offset + at, [1]);
        if (fs) break;
      }
    }
    if (volumeFields) {
      // An LVM header first: blkid reports the member (a RAID-class type) before any file system.
      const content: VolumeContent = {
        type: 'VMFS_volume_member',
        version: String(volumeFields.num('volume.version')),
        offset: reader.offset,
        structures: [volumeFields.node],
      };
      const lvmUuid = labelText(volumeFields.raw('volume.lvmUuid'), 'latin1');
      if (lvmUuid !== undefined) content.uuid = lvmUuid;
      if (fs) content.structures.push(fs.node);
      return content;
    }
    if (!fs) return null;
    const content: VolumeContent = {
      type: 'VMFS',
      version: String(fs.num('fs.version')),
      offset: reader.offset,
      uuid: vmfsUuid(fs.raw('fs.uuid')),
      structures: [fs.node],
    };
    const label = labelText(fs.raw('fs.label'));
    if (label !== undefined) content.label = label;
    return content;
  },
};

// VMFS UUIDs are shown as four groups: two little-endian words, a little-endian half word, six bytes.
function vmfsUuid(u: Uint8Array): string {
  const h = (i: number): string => u[i]!.toString(16).padStart(2, '0');
  return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(7)}${h(6)}${h(5)}${h(4)}-${h(9)}${h(8)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
