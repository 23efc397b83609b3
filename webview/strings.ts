// User-visible webview strings added for the responsive layout, the selection
// and the inspector, in one place, each through t() (webview/l10n.ts).
import { t } from './l10n';

export const S = {
  dataInspector: t('Data inspector'),
  littleEndian: t('Little endian'),
  bigEndian: t('Big endian'),
  byteOrderTitle: t('Byte order of the integers, floats and LBA (click to switch)'),
  loading: t('loading'),
  crcOfSelection: t('CRC-32 of selection'),
  showSide: t('Show findings and structure'),
  hideSide: t('Hide findings and structure'),
  showInspector: t('Show the data inspector'),
  hideInspector: t('Hide the data inspector'),
  resizeSide: t('Resize findings and structure'),
  resizeInspector: t('Resize the data inspector'),
} as const;

/** The inspector's row labels that are words (inspector.ts names rows in English; the rest are type names). */
export const INSPECTOR_LABELS: Readonly<Record<string, string>> = {
  binary: t('binary'),
  'u64 LBA → byte': t('u64 LBA → byte'),
  'offset → LBA': t('offset → LBA'),
  'GUID (mixed-endian)': t('GUID (mixed-endian)'),
};

/** "(512-byte sectors)" */
export const sectorsOf = (sectorSize: number): string => t('({0}-byte sectors)', sectorSize);

/** The toolbar's note after a copy. */
export function copiedText(format: 'hex' | 'c' | 'base64' | 'text', bytes: number): string {
  switch (format) {
    case 'hex':
      return t('Copied {0} bytes as hex', bytes);
    case 'c':
      return t('Copied {0} bytes as a C array', bytes);
    case 'base64':
      return t('Copied {0} bytes as base64', bytes);
    case 'text':
      return t('Copied {0} bytes as text', bytes);
  }
}

export const tooLargeToCopy = (bytes: number, max: number): string => t('Selection too large to copy ({0} bytes; at most {1}).', bytes, max);
