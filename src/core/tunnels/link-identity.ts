/**
 * Which interface a record means, so that a record never adopts whatever now has its name. Read once when
 * the interface comes up, checked on every look:
 * - wireguard-go: its daemon process. The kernel names the process that listens on the interface's UAPI
 *   socket (/var/run/wireguard/IFACE.sock, a folder only root can write) through SO_PEERCRED; that is
 *   wireguard-go's first process, which opens the socket, starts the daemon and exits, so the daemon is
 *   looked for among the next few pids (a full /proc walk only if not there). It must be root's, run the
 *   wireguard-go we found, serve IFACE and live in the tunnel's namespace. Its start time then tells a
 *   later process with the same pid apart, and its TUN file descriptor, whose fdinfo names the interface
 *   it is attached to (`iff:`), tells that the interface is still its own: wireguard-go outlives an
 *   interface deleted under it (it only closes that descriptor), and the name may by then be another's.
 *   Two small reads in /proc are all a poll costs.
 * - kernel WireGuard: the interface's index in its namespace.
 * Both carry the namespace's inode. Linux only: elsewhere records carry no identity.
 */
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { peerCredOf } from '../net/peer-cred.js';

export interface LinkIdentity {
  /** Inode of the network namespace the interface lives in. */
  netnsInode: number;
  /** Kernel WireGuard: the interface's index. */
  ifindex?: number;
  /** wireguard-go: its process and that process's start time (clock ticks since boot, /proc/PID/stat). */
  pid?: number;
  startTime?: string;
  /** wireguard-go: its descriptor of /dev/net/tun for this interface. */
  tunFd?: number;
}

export const UAPI_DIR = '/var/run/wireguard';

/** The inode of a named namespace (ip netns), or of this process's own. */
export function netnsInodeOf(netns: string | null): number | undefined {
  try {
    return statSync(netns === null ? '/proc/self/ns/net' : `/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces or parentheses) start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function uidOf(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a root process running `exe` for `iface`, in the namespace `netnsInode`. */
function isRootWireguardGo(pid: number, iface: string, exe: string, netnsInode: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (
      argv[1] === iface &&
      uidOf(pid) === 0 &&
      realpathSync(readlinkSync(`/proc/${pid}/exe`)) === realpathSync(exe) &&
      statSync(`/proc/${pid}/ns/net`).ino === netnsInode
    );
  } catch {
    return false;
  }
}

/** Whether descriptor `fd` of `pid` is a TUN device attached to `iface` (its fdinfo says `iff: IFACE`). */
function tunAttached(pid: number, fd: number, iface: string): boolean {
  try {
    return new RegExp(`^iff:\\s+${iface.replace(/[.+=]/g, '\\$&')}$`, 'm').test(
      readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'),
    );
  } catch {
    return false;
  }
}

function tunFdOf(pid: number, iface: string): number | undefined {
  try {
    for (const entry of readdirSync(`/proc/${pid}/fd`)) {
      const fd = Number(entry);
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${entry}`);
      } catch {
        continue;
      }
      if (target === '/dev/net/tun' && tunAttached(pid, fd, iface)) return fd;
    }
  } catch {
    /* gone */
  }
  return undefined;
}

/** wireguard-go's daemon: started by `firstPid`, so usually among the pids right after it. */
function findDaemon(firstPid: number, iface: string, exe: string, netnsInode: number): number | undefined {
  for (let pid = firstPid; pid <= firstPid + 64; pid++)
    if (isRootWireguardGo(pid, iface, exe, netnsInode)) return pid;
  for (const entry of readdirSync('/proc'))
    if (/^\d+$/.test(entry) && isRootWireguardGo(Number(entry), iface, exe, netnsInode)) return Number(entry);
  return undefined;
}

/** The pid of the process listening on a Unix socket (connect, ask the kernel, close). */
function socketOwnerPid(path: string): Promise<{ pid: number; uid: number } | undefined> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    const timer = setTimeout(() => {
      c.destroy();
      resolve(undefined);
    }, 2000);
    c.once('connect', () => {
      clearTimeout(timer);
      const cred = peerCredOf(c);
      c.destroy();
      resolve(cred);
    });
    c.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** Reads the identity of an interface that just came up; undefined where it cannot be known. */
export async function readIdentity(o: {
  iface: string;
  netns: string | null;
  userspace: boolean;
  wireguardGo?: string;
  ip?: string;
}): Promise<LinkIdentity | undefined> {
  if (process.platform !== 'linux') return undefined;
  const netnsInode = netnsInodeOf(o.netns);
  if (netnsInode === undefined) return undefined;
  if (o.userspace) {
    if (!o.wireguardGo) return undefined;
    // Only root can make a socket in UAPI_DIR; a socket there listened on by root is wireguard-go's.
    const owner = await socketOwnerPid(`${UAPI_DIR}/${o.iface}.sock`);
    if (!owner || owner.uid !== 0) return undefined;
    const pid = findDaemon(owner.pid, o.iface, o.wireguardGo, netnsInode);
    const startTime = pid === undefined ? undefined : startTimeOf(pid);
    const tunFd = pid === undefined ? undefined : tunFdOf(pid, o.iface);
    return pid !== undefined && startTime && tunFd !== undefined
      ? { netnsInode, pid, startTime, tunFd }
      : undefined;
  }
  const ifindex = ifindexOf(o.iface, o.netns, o.ip);
  return ifindex === undefined ? undefined : { netnsInode, ifindex };
}

function ifindexOf(iface: string, netns: string | null, ip?: string): number | undefined {
  let text: string | undefined;
  if (netns === null) {
    try {
      text = readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8');
    } catch {
      return undefined;
    }
  } else if (ip) {
    // ip netns exec mounts the namespace's own /sys; once, when the tunnel comes up.
    const r = spawnSync(ip, ['netns', 'exec', netns, 'cat', `/sys/class/net/${iface}/ifindex`], {
      encoding: 'utf8',
      timeout: 5000,
    });
    text = r.status === 0 ? r.stdout : undefined;
  }
  const n = Number(text?.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Whether the interface the identity names is still there: false means it is gone for good (its process
 * ended, or another took its pid; its namespace was deleted), and the record must be forgotten. For a
 * kernel interface in another namespace it cannot be checked without a spawn: true there, the counters say.
 */
export function identityHolds(id: LinkIdentity, iface: string, netns: string | null): boolean {
  if (netnsInodeOf(netns) !== id.netnsInode) return false;
  if (id.pid !== undefined)
    return (
      startTimeOf(id.pid) === id.startTime &&
      uidOf(id.pid) === 0 &&
      id.tunFd !== undefined &&
      tunAttached(id.pid, id.tunFd, iface)
    );
  if (id.ifindex !== undefined && netns === null) return ifindexOf(iface, null) === id.ifindex;
  return true;
}

export function parseIdentity(value: unknown): LinkIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!Number.isSafeInteger(v.netnsInode)) return undefined;
  const id: LinkIdentity = { netnsInode: v.netnsInode as number };
  if (v.ifindex !== undefined) {
    if (!Number.isSafeInteger(v.ifindex)) return undefined;
    id.ifindex = v.ifindex as number;
  }
  if (v.pid !== undefined || v.startTime !== undefined) {
    if (!Number.isSafeInteger(v.pid) || typeof v.startTime !== 'string' || !/^\d+$/.test(v.startTime))
      return undefined;
    if (!Number.isSafeInteger(v.tunFd) || (v.tunFd as number) < 0) return undefined;
    id.pid = v.pid as number;
    id.startTime = v.startTime;
    id.tunFd = v.tunFd as number;
  }
  return id;
}
