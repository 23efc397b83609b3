// Findings about the container file itself (overlapping table entries, a VHDX
// log to replay), next to the virtual disk's own findings. Their bytes are file
// offsets of the container, so they are given as `file`, never as `offset`.
import type { ByteSource } from './io/byteSource';
import { isContainerSource } from './io/containerSource';
import type { Finding } from './findings';

/** The container findings of `source` (none for a raw file or device). */
export async function containerFindings(source: ByteSource): Promise<Finding[]> {
  if (!isContainerSource(source)) return [];
  return (await source.problems()).map((p) => ({
    code: p.code,
    severity: p.severity,
    message: p.message,
    text: p.text,
    offset: 0,
    length: 0,
    fixes: [],
    file: { path: p.file, offset: p.fileOffset, length: p.length },
  }));
}

/** `diskFindings` with `extra` merged in, most severe first (the order checkDisk gives). */
export function withContainerFindings(diskFindings: Finding[], extra: Finding[]): Finding[] {
  if (extra.length === 0) return diskFindings;
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...extra, ...diskFindings].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
