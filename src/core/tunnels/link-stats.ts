/**
 * Interface counters from files, so that polling spawns nothing: /proc/net/dev for our own namespace, and
 * /proc/<pid>/net/dev of the wireguard-go process serving a tunnel that lives in another namespace (a
 * process's view of /proc/<pid>/net is its network namespace).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Counters {
  rxBytes: number;
  txBytes: number;
}

/** Parses the /proc/net/dev table into counters per interface. */
export function parseNetDev(text: string): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    out.set(line.slice(0, colon).trim(), { rxBytes: Number(fields[0]), txBytes: Number(fields[8]) });
  }
  return out;
}

export function readNetDev(pid?: number, procRoot = '/proc'): Map<string, Counters> | undefined {
  try {
    return parseNetDev(readFileSync(pid ? `${procRoot}/${pid}/net/dev` : `${procRoot}/net/dev`, 'utf8'));
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number, procRoot: string): string | undefined {
  try {
    return readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** wireguard-go runs as `wireguard-go <iface>`; its /proc entry says so. */
export function isWireguardGoFor(pid: number, iface: string, procRoot = '/proc'): boolean {
  const argv = cmdlineOf(pid, procRoot)?.split('\0') ?? [];
  return (argv[0] ?? '').endsWith('wireguard-go') && argv[1] === iface;
}

/** Scans /proc once for the wireguard-go serving `iface` (after `up` and on adoption, not per poll). */
export function findWireguardGo(iface: string, procRoot = '/proc'): number | undefined {
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (isWireguardGoFor(pid, iface, procRoot)) return pid;
  }
  return undefined;
}
