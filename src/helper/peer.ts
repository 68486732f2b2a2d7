/**
 * Who is at the other end of a helper connection, as the kernel recorded it at connect time (SO_PEERCRED
 * on Linux, getpeereid on macOS, through our small addon native/peercred). A peer cannot forge it, and it
 * cannot change for the life of the connection, so it is read once per connection and applies to every
 * request on it. Without the addon the helper refuses to start: it never guesses who is asking.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface Peer {
  uid: number;
  gid: number;
  /** -1 where the platform does not say. */
  pid: number;
}

type Addon = { peerCred(fd: number): Peer };
let addon: Addon | undefined;

export function loadPeerCred(): Addon {
  const require = createRequire(import.meta.url);
  addon ??= require('@overlay-connect/peercred') as Addon;
  return addon;
}

/** The peer of a connected Unix socket; undefined when it cannot be read (the connection is then closed). */
export function peerOf(socket: Socket): Peer | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return loadPeerCred().peerCred(fd);
  } catch {
    return undefined;
  }
}
