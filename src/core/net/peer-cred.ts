/**
 * Who is at the other end of a connected Unix socket, as the kernel recorded it at connect time (SO_PEERCRED
 * on Linux, getpeereid on macOS), through our small addon native/peercred. The peer cannot forge it, and it
 * does not change for the life of the connection. For a listening socket's peer it names the process that
 * called listen(). The addon is loaded on first use only: most processes never ask.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface PeerCred {
  uid: number;
  gid: number;
  /** -1 where the platform does not say. */
  pid: number;
}

let addon: { peerCred(fd: number): PeerCred } | undefined;

/** The peer of a connected Unix socket; undefined when it cannot be read (no addon, no descriptor). */
export function peerCredOf(socket: Socket): PeerCred | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    addon ??= createRequire(import.meta.url)('@overlay-connect/peercred') as typeof addon;
    return addon!.peerCred(fd);
  } catch {
    return undefined;
  }
}
