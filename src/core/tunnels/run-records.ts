/**
 * The run folder's records: for every interface that is up (or coming up), `<iface>.json` says which
 * namespace it lives in, whether wireguard-go runs it, who brought it up and which interface it is; beside
 * it, `<iface>.conf` is the file wg-quick was given. A record is created exclusively, so of two processes
 * bringing up one interface only one goes on; it is validated before use, since its fields reach paths and
 * commands; the folder is re-read only when it changed. Apart from the driver because these files are the
 * state a restarted process adopts, whoever runs wg-quick.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { ensurePrivateDir, writePrivateFile } from '../store/private-files.js';
import { isValidInterfaceName } from '../wgconf/interface-name.js';
import { NETNS_NAME } from './command-line.js';
import { parseIdentity, type LinkIdentity } from './link-identity.js';

export interface RunRecord {
  interface: string;
  netns: string | null;
  userspace: boolean;
  /** 'starting' while wg-quick up runs (perhaps in another process): its missing interface is not a
   * tunnel that died, unless the record is older than any `up` can take. */
  phase: 'starting' | 'up';
  at: number;
  /** Who brought it up (the helper records the asking uid): only they see it and act on it. */
  owner?: number;
  /** SHA-256 of the text wg-quick got: the same owner bringing up the same config again is a no-op. */
  configHash?: string;
  /** The interface's public key, from that text. */
  publicKey?: string;
  /** Which interface this record means (link-identity.ts); absent where it cannot be read (not root). */
  identity?: LinkIdentity;
}

/** Longer than any wg-quick up takes (it may wait for an administrator prompt). */
const STALE_START_MS = 5 * 60_000;

/** Whether a record says its `up` is still running (recent enough that no `up` could have given up). */
export function stillStarting(record: RunRecord, now: () => number): boolean {
  return record.phase === 'starting' && now() - record.at <= STALE_START_MS;
}

/** A record is used only if it is well-formed: its fields reach paths and commands. */
export function parseRunRecord(text: string): RunRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<RunRecord>;
    if (typeof r.interface !== 'string' || !isValidInterfaceName(r.interface)) return undefined;
    if (r.netns !== null && (typeof r.netns !== 'string' || !NETNS_NAME.test(r.netns))) return undefined;
    if (
      typeof r.userspace !== 'boolean' ||
      (r.phase !== 'starting' && r.phase !== 'up') ||
      typeof r.at !== 'number'
    )
      return undefined;
    const record: RunRecord = {
      interface: r.interface,
      netns: r.netns,
      userspace: r.userspace,
      phase: r.phase,
      at: r.at,
    };
    if (r.owner !== undefined) {
      if (!Number.isSafeInteger(r.owner)) return undefined;
      record.owner = r.owner;
    }
    if (r.configHash !== undefined) {
      if (typeof r.configHash !== 'string' || !/^[0-9a-f]{64}$/.test(r.configHash)) return undefined;
      record.configHash = r.configHash;
    }
    if (r.publicKey !== undefined) {
      if (typeof r.publicKey !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(r.publicKey)) return undefined;
      record.publicKey = r.publicKey;
    }
    if (r.identity !== undefined) {
      const identity = parseIdentity(r.identity);
      if (!identity) return undefined;
      record.identity = identity;
    }
    return record;
  } catch {
    return undefined;
  }
}

/** One run folder (made 0700) and its records. */
export class RunRecords {
  private cache?: { mtimeMs: number; records: RunRecord[] };

  constructor(
    private readonly runDir: string,
    private readonly now: () => number,
  ) {
    ensurePrivateDir(runDir);
  }

  /** The file wg-quick is given for the interface. */
  confPath(iface: string): string {
    return join(this.runDir, `${iface}.conf`);
  }

  private recordPath(iface: string): string {
    return join(this.runDir, `${iface}.json`);
  }

  /**
   * Creates the interface's record exclusively (O_EXCL): of two processes bringing up the same interface at
   * once, one owns it and the other is told. A record left by a tunnel that is gone is replaced.
   */
  claim(r: RunRecord): void {
    const path = this.recordPath(r.interface);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(r));
        } finally {
          closeSync(fd);
        }
        this.cache = undefined;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
        const other = parseRunRecord(readFileSync(path, 'utf8'));
        if (other && stillStarting(other, this.now))
          throw new UserError(`${r.interface} is being brought up by another process`);
        // up() found no live interface for it: what is left is a record of a tunnel that is gone.
        rmSync(path, { force: true });
      }
    }
  }

  write(r: RunRecord): void {
    writePrivateFile(this.recordPath(r.interface), JSON.stringify(r), { durable: false });
  }

  /** Removes the interface's record and config file. */
  remove(iface: string): void {
    rmSync(this.confPath(iface), { force: true });
    rmSync(this.recordPath(iface), { force: true });
  }

  /** The run records, re-read only when the folder changed (one stat per poll). A malformed or foreign
   * file is ignored: record fields reach paths and commands. */
  read(): RunRecord[] {
    const mtimeMs = statSync(this.runDir).mtimeMs;
    if (this.cache?.mtimeMs === mtimeMs) return this.cache.records;
    const records: RunRecord[] = [];
    for (const f of readdirSync(this.runDir)) {
      if (!f.endsWith('.json')) continue;
      let text: string;
      try {
        text = readFileSync(join(this.runDir, f), 'utf8');
      } catch {
        continue;
      }
      const r = parseRunRecord(text);
      if (r && f === `${r.interface}.json`) records.push(r);
    }
    this.cache = { mtimeMs, records };
    return records;
  }
}
