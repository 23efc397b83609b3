// Draws the extension's icon (media/icon.png, 128x128): a disk map bar (MBR,
// GPT, partitions, backup GPT) over a dark tile, written as a PNG with zlib.
// Run `node scripts/makeIcon.mjs` to draw it again.
import fs from 'node:fs';
import zlib from 'node:zlib';

const SIZE = 128;
const pixels = Buffer.alloc(SIZE * SIZE * 4);
const fill = (x0, y0, x1, y1, [r, g, b, a = 255]) => {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) pixels.set([r, g, b, a], (y * SIZE + x) * 4);
};
fill(0, 0, SIZE, SIZE, [0, 0, 0, 0]);
fill(8, 8, 120, 120, [30, 36, 48]);
// Hex rows: light bars.
for (let row = 0; row < 4; row++) fill(20, 20 + row * 12, 108 - row * 14, 26 + row * 12, [150, 160, 175]);
// The disk map: MBR, primary GPT, two partitions, backup GPT.
const areas = [
  [20, 28, [230, 90, 80]],
  [28, 38, [240, 180, 60]],
  [38, 70, [80, 160, 230]],
  [70, 98, [90, 200, 120]],
  [98, 108, [240, 180, 60]],
];
for (const [x0, x1, colour] of areas) fill(x0, 76, x1 - 1, 108, colour);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) pixels.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(raw)),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync(new URL('../media/', import.meta.url), { recursive: true });
fs.writeFileSync(new URL('../media/icon.png', import.meta.url), png);
