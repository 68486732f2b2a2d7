/**
 * `devnet down` and `devnet status` of a v3 devnet: only the state file and the underlay, no grid library,
 * so that neither pays for @polkadot.
 */
import { readFileSync, rmSync } from 'node:fs';
import { deleteNamespace, namespaces } from '../host-commands.js';
import { destroyUnderlay, PREFIX } from '../underlay.js';
import {
  chainAdminPath,
  chainUrl,
  devnetV3Dir,
  type DevnetV3State,
  gridproxyUrl,
  readDevnetV3,
  relayUrl,
  saveDevnetV3,
  servePidAlive,
} from './devnet-v3-state.js';

const allPids = (s: DevnetV3State) => [
  s.pids.chain,
  s.pids.gridproxy,
  s.pids.relay,
  ...Object.values(s.pids.agents),
];

export const devnetV3Running = (s: DevnetV3State | undefined) =>
  !!s?.running && allPids(s).some((p) => servePidAlive(p));

export async function devnetV3Down(dataDir: string, purge: boolean, say: (l: string) => void): Promise<void> {
  const dir = devnetV3Dir(dataDir);
  const state = readDevnetV3(dir);
  // Ours is decided once, before the signal: an exiting process's cmdline reads empty while it still
  // exists, so from then on we wait for the pid itself to be gone.
  const ours = (state ? allPids(state) : []).filter((p): p is number => servePidAlive(p));
  const exists = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (const pid of ours) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && ours.some(exists); i++) await new Promise((r) => setTimeout(r, 100));
  for (const pid of ours) if (exists(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 20 && ours.some(exists); i++) await new Promise((r) => setTimeout(r, 100));
  // Deleting a namespace deletes its links, and each wireguard-go exits with its interface.
  if (state) destroyUnderlay(state.nodes);
  for (const ns of namespaces().filter((n) => n.startsWith(`${PREFIX}-`))) deleteNamespace(ns);
  if (purge) rmSync(dir, { recursive: true, force: true });
  else if (state) {
    rmSync(chainAdminPath(dir), { force: true });
    saveDevnetV3(dir, { ...state, running: false, pids: { agents: {} } });
  }
  say(
    purge
      ? 'v3 devnet removed, with its data'
      : 'v3 devnet down (its data is kept: devnet up --grid v3 resumes it; --purge forgets it)',
  );
}

/** What `devnet status --json` shows of a v3 devnet (no mnemonic: the file's path). */
export function devnetV3View(s: DevnetV3State) {
  return {
    grid: 'v3' as const,
    running: s.running && devnetV3Running(s),
    chain: chainUrl(s),
    gridproxy: gridproxyUrl(s),
    relay: relayUrl(s),
    laptopNamespace: s.laptopNamespace,
    account: { address: s.account.address, twinId: s.account.twinId, mnemonicFile: s.account.mnemonicFile },
    nodes: s.nodes.map((n) => ({
      name: n.name,
      nodeId: n.nodeId,
      twinId: n.twinId,
      kind: n.kind,
      farmId: n.farm,
      namespace: n.namespace,
      publicConfig: n.publicConfig ?? null,
    })),
    pids: s.pids,
  };
}
