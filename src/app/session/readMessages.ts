// The webview's read requests: bytes for the hex view, a CRC-32 over a range
// for the inspector, and a range as clipboard text (Copy As formats). Each answer
// carries the request's id; a failed read becomes an error reply with that id.
import type { ByteSource } from '../../core/io/byteSource';
import { crc32 } from '../../core/crc32';
import { describeError } from '../../core/errors';
import type { FromWebview, ToWebview } from '../../shared/protocol/editor';
import type { SessionEffect } from './effects';
import { formatCopy } from '../copyFormats';

export type ReadMessage = Extract<FromWebview, { type: 'readRange' | 'crcRange' | 'copyHex' }>;

export async function handleReadMessage(source: ByteSource, message: ReadMessage): Promise<SessionEffect> {
  switch (message.type) {
    case 'readRange':
      return reply(message.requestId, async () => ({
        type: 'bytes',
        requestId: message.requestId,
        offset: message.offset,
        data: await source.read(message.offset, message.length),
      }));
    case 'crcRange':
      return reply(message.requestId, async () => ({
        type: 'crc',
        requestId: message.requestId,
        offset: message.offset,
        length: message.length,
        crc: crc32(await source.read(message.offset, message.length)),
      }));
    case 'copyHex': {
      const data = await source.read(message.offset, message.length);
      const format = message.format ?? 'hex';
      return { kind: 'copy', text: formatCopy(data, format), format, bytes: data.length };
    }
  }
}

/** The answer to request `requestId`, or an error reply with the same id when it cannot be made. */
async function reply(requestId: number, answer: () => Promise<ToWebview>): Promise<SessionEffect> {
  try {
    return { kind: 'reply', message: await answer() };
  } catch (error) {
    return { kind: 'reply', message: { type: 'error', requestId, message: describeError(error) } };
  }
}
