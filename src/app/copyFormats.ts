// Copy As: the selected bytes as clipboard text. Pure: tested in plain Node.
import type { CopyFormat } from '../shared/protocol/editor';

/** C array initialisers per line. */
const C_PER_LINE = 12;

/** `data` as the text Copy As `format` puts on the clipboard. */
export function formatCopy(data: Uint8Array, format: CopyFormat): string {
  switch (format) {
    case 'hex':
      return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join(' ');
    case 'c': {
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += C_PER_LINE)
        lines.push(`  ${Array.from(data.subarray(i, i + C_PER_LINE), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ')},`);
      return `const unsigned char data[${data.length}] = {\n${lines.join('\n')}\n};`;
    }
    case 'base64':
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    case 'text':
      // UTF-8 (invalid sequences as U+FFFD); NUL bytes are left out: clipboards end text at the first one.
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8').replace(/\0/g, '');
  }
}

/** The format's name in messages ("Copied 4 bytes as a C array"). */
export const COPY_FORMAT_NAMES: Record<CopyFormat, string> = { hex: 'hex', c: 'a C array', base64: 'base64', text: 'text' };
