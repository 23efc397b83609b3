// Sizes in binary units, the one implementation for the CLI, the host's
// progress lines, the structure tree and the webviews. Pure: no DOM, no node.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `bytes` scaled to the largest binary unit it reaches (unit -1: plain bytes). */
function scaled(bytes: number | bigint): { value: number; unit: number } {
  let value = Number(bytes);
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return { value, unit };
}

/** "1.5 GiB", "512.0 KiB", "300 bytes": one decimal, as gdisk prints sizes (CLI output, progress lines). */
export function formatBytes(bytes: number | bigint): string {
  const { value, unit } = scaled(bytes);
  return unit < 0 ? `${Number(bytes)} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** "250 MiB", "2 TiB", "1.5 GiB", "512 B": no trailing zeros, for labels in the structure tree. */
export function formatSizeShort(bytes: number | bigint): string {
  const { value, unit } = scaled(bytes);
  if (unit < 0) return `${value} B`;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text} ${UNITS[unit]}`;
}
