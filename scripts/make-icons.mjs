// Draws the app and tray icons into assets/ (PNG, no dependencies): three nodes of a mesh joined by links.
// Run `node scripts/make-icons.mjs` after changing the drawing; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const S = 4; // supersampling for smooth edges
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let acc = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const [r, g, b, a] = pixel((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          acc = [acc[0] + r * a, acc[1] + g * a, acc[2] + b * a, acc[3] + a];
        }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const a = acc[3] / (S * S);
      raw[o] = a ? Math.round(acc[0] / acc[3]) : 0;
      raw[o + 1] = a ? Math.round(acc[1] / acc[3]) : 0;
      raw[o + 2] = a ? Math.round(acc[2] / acc[3]) : 0;
      raw[o + 3] = Math.round(a * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const nodes = [
  [0.5, 0.2],
  [0.2, 0.75],
  [0.8, 0.75],
];
const segDist = (px, py, [ax, ay], [bx, by]) => {
  const t = Math.max(
    0,
    Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
  );
  return Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay));
};
/** Mesh glyph: 1 inside the drawing, 0 outside. `dashed` draws the links broken (connecting). */
function glyph(x, y, { dashed = false, cross = false } = {}) {
  for (const [nx, ny] of nodes) if (Math.hypot(x - nx, y - ny) < 0.13) return 1;
  for (let i = 0; i < 3; i++) {
    const a = nodes[i],
      b = nodes[(i + 1) % 3];
    if (segDist(x, y, a, b) < 0.045) {
      if (!dashed) return 1;
      const t = Math.hypot(x - a[0], y - a[1]) / Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (Math.floor(t * 5) % 2 === 0) return 1;
    }
  }
  if (cross && (Math.abs(x - y) < 0.06 || Math.abs(x + y - 1) < 0.06) && Math.abs(x - 0.5) < 0.45) return 1;
  return 0;
}

const colors = {
  inactive: [128, 134, 140],
  connecting: [212, 160, 23],
  active: [46, 160, 67],
  error: [207, 34, 46],
};
mkdirSync('assets/tray', { recursive: true });
for (const [state, rgb] of Object.entries(colors)) {
  const opts = { dashed: state === 'connecting', cross: state === 'error' };
  for (const [suffix, size] of [
    ['', 16],
    ['@2x', 32],
  ]) {
    writeFileSync(
      `assets/tray/${state}${suffix}.png`,
      png(size, (x, y) => [...rgb, glyph(x, y, opts)]),
    );
    // macOS template images: black + alpha, the system tints them for light and dark menu bars.
    writeFileSync(
      `assets/tray/${state}Template${suffix}.png`,
      png(size, (x, y) => [0, 0, 0, glyph(x, y, opts) * (state === 'inactive' ? 0.5 : 1)]),
    );
  }
}
const appIcon = (x, y) => {
  const inset = Math.max(Math.abs(x - 0.5), Math.abs(y - 0.5));
  const corner = Math.hypot(Math.max(0, Math.abs(x - 0.5) - 0.32), Math.max(0, Math.abs(y - 0.5) - 0.32));
  if (inset > 0.46 || corner > 0.14) return [0, 0, 0, 0];
  const g = glyph((x - 0.5) / 0.7 + 0.5, (y - 0.5) / 0.7 + 0.53);
  return g ? [255, 255, 255, 1] : [26, 95, 180, 1];
};
writeFileSync('assets/icon.png', png(512, appIcon));
console.log('icons written to assets/');
