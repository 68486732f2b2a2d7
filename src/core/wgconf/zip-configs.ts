/**
 * The .conf files inside a .zip (what the WireGuard clients export): a small reader of the central
 * directory, stored and deflated entries only, with limits so an archive cannot make us allocate without
 * bound. Names are reduced to their base name; the caller still validates every config and name.
 */
import { inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.js';

export const ZIP_MAX_ENTRIES = 200;
export const ZIP_MAX_ENTRY_BYTES = 1 << 20;

export interface ZipConfig {
  name: string;
  bytes: Uint8Array;
}

export function configsFromZip(zip: Uint8Array): ZipConfig[] {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  // End of central directory: the last 0x06054b50 in the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new UserError('This is not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (count > ZIP_MAX_ENTRIES)
    throw new UserError(`The archive has ${count} entries; at most ${ZIP_MAX_ENTRIES} are read`);
  const out: ZipConfig[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new UserError('The zip archive is damaged (central directory)');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const fullName = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    const base = fullName.split(/[\\/]/).pop() ?? '';
    if (!/\.conf$/i.test(base) || fullName.endsWith('/')) continue;
    if (usize > ZIP_MAX_ENTRY_BYTES || csize > ZIP_MAX_ENTRY_BYTES)
      throw new UserError(`${base} in the archive is too large to be a WireGuard config`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50)
      throw new UserError(`The zip archive is damaged (${base})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    if (data.length !== csize) throw new UserError(`The zip archive is truncated (${base})`);
    let bytes: Buffer;
    if (method === 0) bytes = data;
    else if (method === 8) {
      try {
        bytes = inflateRawSync(data, { maxOutputLength: ZIP_MAX_ENTRY_BYTES });
      } catch {
        throw new UserError(`${base} in the archive cannot be decompressed`);
      }
    } else throw new UserError(`${base} uses a zip compression method this reader does not know (${method})`);
    out.push({ name: base.replace(/\.conf$/i, ''), bytes: new Uint8Array(bytes) });
  }
  return out;
}
