/**
 * Which user a TCP connection to the loopback host comes from, on Linux. The client's socket is a row of
 * /proc/net/tcp (or /proc/net/tcp6, for an IPv6 socket connected to ::ffff:127.0.0.1) whose local end is
 * the connection's remote end and whose remote end is ours; the row carries that socket's uid and inode.
 * A row with inode 0 belongs to no process any more (TIME_WAIT, or a socket closed while its last bytes
 * were in flight), and the kernel may show uid 0 for it: such a row names nobody, and is not an answer.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

export interface Endpoint {
  address: string;
  port: number;
}

interface Row {
  local: Endpoint;
  remote: Endpoint;
  uid: number;
  inode: number;
}

/** An address as /proc/net/tcp{,6} prints it: 32-bit words in hex, each in the host's byte order. */
function decodeAddress(hex: string): string {
  const bytes = Buffer.alloc(hex.length / 2);
  for (let i = 0; i < hex.length / 8; i++) {
    const word = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    if (endianness() === 'LE') bytes.writeUInt32LE(word, i * 4);
    else bytes.writeUInt32BE(word, i * 4);
  }
  if (bytes.length === 4) return [...bytes].join('.');
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it maps; other IPv6 addresses never match ours.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return [...bytes.subarray(12)].join('.');
  return `ipv6:${hex}`;
}

function decodeEndpoint(text: string): Endpoint {
  const [address, port] = text.split(':');
  return { address: decodeAddress(address!), port: parseInt(port!, 16) };
}

export function parseProcNetTcp(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    rows.push({
      local: decodeEndpoint(f[1]!),
      remote: decodeEndpoint(f[2]!),
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return rows;
}

const plain = (address: string) => address.replace(/^::ffff:/i, '');
const same = (a: Endpoint, b: Endpoint) => a.port === b.port && plain(a.address) === plain(b.address);

/**
 * The uid of the process holding the client's end of a connection (`client` is the connection's remote
 * end as the server sees it, `server` its local end), or undefined when no live socket matches.
 */
export async function clientUid(
  client: Endpoint,
  server: Endpoint,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
): Promise<number | undefined> {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await read(table);
    } catch {
      continue; // no IPv6 here
    }
    const row = parseProcNetTcp(text).find(
      (r) => r.inode !== 0 && same(r.local, client) && same(r.remote, server),
    );
    if (row) return row.uid;
  }
  return undefined;
}
