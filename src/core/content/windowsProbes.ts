// Probes for the Microsoft family: FAT12/16/32 (blkid's vfat), exFAT, NTFS and
// BitLocker. All four start with an x86 jump and an 8-byte OEM name in the
// first sector; BitLocker is probed before the others because an encrypted
// volume keeps a boot sector that looks like FAT or NTFS.
import { Fat as FatParser } from '../generated/Fat';
import { ExfatBootSector } from '../generated/ExfatBootSector';
import { NtfsBootSector } from '../generated/NtfsBootSector';
import { BitlockerHeader } from '../generated/BitlockerHeader';
import type { ContentProbe, ProbeReader, VolumeContent } from './probe';
import { bytesEqual, labelText, utf16leText } from './probe';
import { parseFields } from './fields';

const hex = (n: number | bigint, digits: number): string => n.toString(16).toUpperCase().padStart(digits, '0');
/** A 32-bit volume serial the way Windows and blkid show it: XXXX-XXXX. */
const serialText = (serial: number): string => `${hex(serial >>> 16, 4)}-${hex(serial & 0xffff, 4)}`;
const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** Bytes of a FAT/exFAT root directory read to find the volume-label entry. */
const ROOT_LABEL_WINDOW = 1024;

export const vfatProbe: ContentProbe = {
  id: 'vfat',
  types: ['vfat'],
  minSectors: 1,
  async probe(reader) {
    const sector = await reader.read(0, 512);
    if (!sector || !(sector[0] === 0xeb || sector[0] === 0xe9)) return null;
    if (bytesEqual(sector, 3, 'NTFS    ') || bytesEqual(sector, 3, 'EXFAT   ')) return null;
    const f = parseFields('fatBootSector', FatParser, sector, reader.offset, [0, 0]);
    if (!f) return null;
    const bytesPerSector = f.num('bootSector.bytesPerSector');
    const sectorsPerCluster = f.num('bootSector.sectorsPerCluster');
    const reserved = f.num('bootSector.reservedSectors');
    const numFats = f.num('bootSector.numFats');
    const rootEntries = f.num('bootSector.rootEntryCount');
    const totalSectors = f.num('bootSector.totalSectors16') || f.num('bootSector.totalSectors32');
    const fat16Size = f.num('bootSector.sectorsPerFat16');
    const fat32 = fat16Size === 0;
    const fatSize = fat32 ? f.num('bootSector.fat32.sectorsPerFat32') : fat16Size;
    // Microsoft FAT specification 3.1: the BPB values every FAT driver insists on.
    if (![512, 1024, 2048, 4096].includes(bytesPerSector) || !isPowerOfTwo(sectorsPerCluster) || sectorsPerCluster > 128) return null;
    if (reserved === 0 || numFats === 0 || numFats > 4 || totalSectors === 0 || fatSize === 0) return null;
    if (fat32 && rootEntries !== 0) return null;
    const rootSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
    const firstData = reserved + numFats * fatSize + rootSectors;
    if (firstData >= totalSectors) return null;
    const clusters = Math.floor((totalSectors - firstData) / sectorsPerCluster);
    const version = fat32 ? 'FAT32' : clusters < 4085 ? 'FAT12' : 'FAT16';
    const ext = fat32 ? 'bootSector.fat32' : 'bootSector.fat16';
    const signature = f.num(`${ext}.bootSignature`);
    const hasSerial = signature === 0x29 || signature === 0x28;
    const bootLabel = signature === 0x29 ? fatLabel(f.raw(`${ext}.volumeLabel`)) : undefined;
    const rootOffset = fat32
      ? (firstData + (f.num('bootSector.fat32.rootCluster') - 2) * sectorsPerCluster) * bytesPerSector
      : (reserved + numFats * fatSize) * bytesPerSector;
    const rootBytes = Math.min(ROOT_LABEL_WINDOW, fat32 ? sectorsPerCluster * bytesPerSector : rootEntries * 32);
    const rootLabel = await fatRootLabel(reader, rootOffset, rootBytes);
    const content: VolumeContent = {
      type: 'vfat',
      version,
      offset: reader.offset,
      sizeBytes: BigInt(totalSectors) * BigInt(bytesPerSector),
      structures: [f.node],
    };
    const label = rootLabel ?? bootLabel;
    if (label !== undefined) content.label = label;
    if (hasSerial) content.uuid = serialText(f.num(`${ext}.volumeId`));
    return content;
  },
};

// "NO NAME" is what FAT tools write when there is no label.
function fatLabel(raw: Uint8Array): string | undefined {
  const text = labelText(raw, 'latin1');
  return text === 'NO NAME' ? undefined : text;
}

// The volume-label entry (attribute 0x08 without 0x10, not a long-name part) of the root directory's first entries.
async function fatRootLabel(reader: ProbeReader, at: number, length: number): Promise<string | undefined> {
  if (length <= 0) return undefined;
  const bytes = await reader.read(at, length);
  if (!bytes) return undefined;
  for (let i = 0; i + 32 <= bytes.length; i += 32) {
    const first = bytes[i]!;
    if (first === 0x00) break;
    const attributes = bytes[i + 11]!;
    if (first === 0xe5 || (attributes & 0x3f) === 0x0f) continue;
    if ((attributes & 0x18) === 0x08) return fatLabel(bytes.subarray(i, i + 11));
  }
  return undefined;
}

export const exfatProbe: ContentProbe = {
  id: 'exfat',
  types: ['exfat'],
  minSectors: 1,
  async probe(reader) {
    const sector = await reader.read(0, 512);
    if (!sector || !bytesEqual(sector, 3, 'EXFAT   ')) return null;
    const f = parseFields('exfatBootSector', ExfatBootSector, sector, reader.offset);
    if (!f) return null;
    const sectorShift = f.num('bytesPerSectorShift');
    const clusterShift = f.num('sectorsPerClusterShift');
    // exFAT specification 3.1: 512..4096-byte sectors, clusters up to 32 MiB.
    if (sectorShift < 9 || sectorShift > 12 || sectorShift + clusterShift > 25) return null;
    const content: VolumeContent = {
      type: 'exfat',
      offset: reader.offset,
      sizeBytes: f.big('volumeLength') << BigInt(sectorShift),
      uuid: serialText(f.num('volumeSerialNumber')),
      structures: [f.node],
    };
    const revision = f.num('fileSystemRevision');
    content.version = `${revision >> 8}.${revision & 0xff}`;
    const rootCluster = f.num('firstClusterOfRootDirectory');
    const rootOffset = (f.num('clusterHeapOffset') + (rootCluster - 2) * 2 ** clusterShift) * 2 ** sectorShift;
    const label = rootCluster >= 2 ? await exfatRootLabel(reader, rootOffset) : undefined;
    if (label !== undefined) content.label = label;
    return content;
  },
};

// exFAT 7.3: the Volume Label directory entry has type 0x83, a character count at 1 and up to 11 UTF-16LE units from 2.
async function exfatRootLabel(reader: ProbeReader, at: number): Promise<string | undefined> {
  const bytes = await reader.read(at, ROOT_LABEL_WINDOW);
  if (!bytes) return undefined;
  for (let i = 0; i + 32 <= bytes.length; i += 32) {
    const type = bytes[i]!;
    if (type === 0x00) break;
    if (type === 0x83) return utf16leText(bytes.subarray(i + 2, i + 24), Math.min(bytes[i + 1]!, 11));
  }
  return undefined;
}

/** Largest MFT record we read (records are 1 KiB, 4 KiB on some 4Kn volumes). */
const MAX_MFT_RECORD_BYTES = 4096;
/** $Volume is MFT record 3; its $VOLUME_NAME attribute (type 0x60) holds the label. */
const VOLUME_RECORD = 3;
const ATTRIBUTE_VOLUME_NAME = 0x60;

export const ntfsProbe: ContentProbe = {
  id: 'ntfs',
  types: ['ntfs'],
  minSectors: 1,
  async probe(reader) {
    const sector = await reader.read(0, 512);
    if (!sector || !bytesEqual(sector, 3, 'NTFS    ')) return null;
    const f = parseFields('ntfsBootSector', NtfsBootSector, sector, reader.offset, [0]);
    if (!f) return null;
    const bytesPerSector = f.num('bootSector.bytesPerSector');
    const spc = f.num('bootSector.sectorsPerCluster');
    const sectorsPerCluster = spc > 0x80 ? 2 ** (256 - spc) : spc;
    if (!isPowerOfTwo(bytesPerSector) || bytesPerSector < 256 || bytesPerSector > 4096 || !isPowerOfTwo(sectorsPerCluster)) return null;
    const clusterBytes = bytesPerSector * sectorsPerCluster;
    const perRecord = f.num('bootSector.clustersPerMftRecord');
    const recordBytes = perRecord > 0 ? perRecord * clusterBytes : 2 ** -perRecord;
    const serial = f.big('bootSector.serialNumber');
    const content: VolumeContent = {
      type: 'ntfs',
      offset: reader.offset,
      sizeBytes: f.big('bootSector.totalSectors') * BigInt(bytesPerSector),
      uuid: hex(serial, 16),
      structures: [f.node],
    };
    if (recordBytes >= 512 && recordBytes <= MAX_MFT_RECORD_BYTES) {
      const mftOffset = f.big('bootSector.mftCluster') * BigInt(clusterBytes) + BigInt(VOLUME_RECORD * recordBytes);
      if (mftOffset < BigInt(Number.MAX_SAFE_INTEGER)) {
        const volume = await ntfsVolumeLabel(reader, Number(mftOffset), recordBytes);
        if (volume) {
          content.structures.push(volume.node);
          if (volume.label !== undefined) content.label = volume.label;
        }
      }
    }
    return content;
  },
};

// Reads the $Volume record, applies its update sequence (the last two bytes of
// every 512-byte stride were swapped out for a check value when it was written)
// and walks its attributes to the resident $VOLUME_NAME.
async function ntfsVolumeLabel(reader: ProbeReader, at: number, length: number) {
  const record = await reader.read(at, length);
  if (!record || !bytesEqual(record, 0, 'FILE')) return null;
  const f = parseFields('ntfsVolumeRecord', NtfsBootSector, record.subarray(0, 48), reader.offset + at, [1]);
  if (!f) return null;
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const usaOffset = f.num('fileRecord.updateSequenceOffset');
  const usaCount = f.num('fileRecord.updateSequenceCount');
  if (usaCount < 1 || usaOffset + usaCount * 2 > length || (usaCount - 1) * 512 > length) return { node: f.node, label: undefined };
  for (let i = 1; i < usaCount; i++) {
    const end = i * 512 - 2;
    if (view.getUint16(end, true) !== view.getUint16(usaOffset, true)) return { node: f.node, label: undefined };
    view.setUint16(end, view.getUint16(usaOffset + i * 2, true), true);
  }
  let pos = f.num('fileRecord.firstAttributeOffset');
  // Each attribute is at least 24 bytes, so this loop ends within length / 24 steps.
  while (pos + 24 <= length) {
    const type = view.getUint32(pos, true);
    const attrLength = view.getUint32(pos + 4, true);
    if (type === 0xffffffff || attrLength < 24 || pos + attrLength > length) break;
    if (type === ATTRIBUTE_VOLUME_NAME && record[pos + 8] === 0) {
      const valueLength = view.getUint32(pos + 16, true);
      const valueOffset = view.getUint16(pos + 20, true);
      if (valueOffset + valueLength > attrLength) break;
      const start = pos + valueOffset;
      return { node: f.node, label: utf16leText(record.subarray(start, start + valueLength), valueLength / 2) };
    }
    pos += attrLength;
  }
  return { node: f.node, label: undefined };
}

const BITLOCKER_VISTA = [0xeb, 0x52, 0x90, ...Buffer.from('-FVE-FS-')];
const BITLOCKER_WIN7 = [0xeb, 0x58, 0x90, ...Buffer.from('-FVE-FS-')];
const BITLOCKER_TOGO = [0xeb, 0x58, 0x90, ...Buffer.from('MSWIN4.1')];

export const bitlockerProbe: ContentProbe = {
  id: 'bitlocker',
  types: ['BitLocker'],
  minSectors: 1,
  async probe(reader) {
    const sector = await reader.read(0, 512);
    if (!sector) return null;
    const vista = bytesEqual(sector, 0, BITLOCKER_VISTA);
    const win7 = bytesEqual(sector, 0, BITLOCKER_WIN7);
    const togo = bytesEqual(sector, 0, BITLOCKER_TOGO);
    if (!vista && !win7 && !togo) return null;
    const f = parseFields('bitlockerHeader', BitlockerHeader, sector, reader.offset, [0]);
    if (!f) return null;
    const content: VolumeContent = { type: 'BitLocker', offset: reader.offset, structures: [f.node] };
    if (vista) return content;
    // Windows 7 and To Go volumes point at their FVE metadata, which must carry the signature too
    // (a To Go header is otherwise an ordinary FAT32 boot sector).
    const fveOffset = f.big(win7 ? 'volumeHeader.fveOffsetWin7' : 'volumeHeader.fveOffsetTogo');
    if (fveOffset === 0n || fveOffset > BigInt(reader.size)) return null;
    const fveBytes = await reader.read(Number(fveOffset), 12);
    if (!fveBytes || !bytesEqual(fveBytes, 0, '-FVE-FS-')) return null;
    const fve = parseFields('bitlockerFve', BitlockerHeader, fveBytes, reader.offset + Number(fveOffset), [1]);
    if (fve) {
      content.structures.push(fve.node);
      content.version = String(fve.num('fve.version'));
    }
    const serial = win7 ? f.num('volumeHeader.volumeSerial') : 0;
    if (serial !== 0) content.uuid = String(serial).padStart(16, '0');
    return content;
  },
};
