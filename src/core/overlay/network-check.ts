/**
 * `network check`: can this machine reach every node of a network through its tunnel? Pings each node's
 * gateway (a.b.c.1) and WireGuard address (100.64.b.c), in parallel, optionally inside a namespace.
 */
import { execFile } from 'node:child_process';
import { gatewayIp, wgRoutingIp } from './address-plan.js';
import type { NetworkRecord } from './model.js';

export interface Reachability {
  nodeId: string;
  address: string;
  reachable: boolean;
  rttMs: number | null;
}

export interface PingTools {
  ping: string;
  ip?: string;
}

export function ping(
  tools: PingTools,
  address: string,
  netns?: string,
  timeoutS = 2,
): Promise<{ reachable: boolean; rttMs: number | null }> {
  const args = ['-c', '1', '-W', String(timeoutS), '-n', address];
  const [file, argv] = netns
    ? [tools.ip ?? 'ip', ['netns', 'exec', netns, tools.ping, ...args]]
    : [tools.ping, args];
  return new Promise((resolve) => {
    execFile(file, argv, { timeout: (timeoutS + 3) * 1000 }, (err, stdout) => {
      const rtt = /time[=<]([\d.]+) ms/.exec(String(stdout));
      resolve({ reachable: !err && !!rtt, rttMs: !err && rtt ? Number(rtt[1]) : null });
    });
  });
}

export async function checkNetwork(
  net: NetworkRecord,
  tools: PingTools,
  netns?: string,
): Promise<Reachability[]> {
  const targets = net.nodes.flatMap((n) =>
    [gatewayIp(n.subnet), wgRoutingIp(n.subnet)].map((address) => ({ nodeId: n.nodeId, address })),
  );
  // A first packet may wait for a handshake: one retry before calling an address unreachable.
  return Promise.all(
    targets.map(async (t) => {
      let r = await ping(tools, t.address, netns);
      if (!r.reachable) r = await ping(tools, t.address, netns);
      return { ...t, ...r };
    }),
  );
}
