/**
 * "See my networks": every network of the twin with its nodes (subnet, contract, endpoint, state) and
 * its accesses (the devices that dial in; this device's marked). All nodes of all networks are asked at
 * once, so the listing takes about as long as the slowest node's reply.
 */
import { parseIpRange, type IpRange } from '../../core/grid3/subnets.js';
import { readUserAccesses } from '../../core/grid3/user-accesses.js';
import { formatEndpoint } from '../../core/grid3/canonical.js';
import type { GridNode } from '../gridproxy.js';
import type { NetworksContext } from './context.js';
import { loadMembers, networkContracts, type LoadedNetwork } from './read-network.js';

export interface NetworkNodeSummary {
  nodeId: number;
  subnet: string;
  contractId: number;
  contractState: 'Created' | 'GracePeriod';
  /** What the other nodes dial (`a.b.c.d:port`, `[v6]:port`), or undefined for a hidden node. */
  endpoint: string | undefined;
  /** The network workload's `result.state` as the node reports it. */
  state: string;
  /** zos's message when the state is an error. */
  message?: string;
}

export interface NetworkAccessSummary {
  /** The access node the device dials. */
  nodeId: number;
  subnet: string;
  publicKey: string;
  /** This device holds the private key. */
  mine: boolean;
  /** user_accesses carries its private key: `importAccess` (and the dashboard) can rebuild its config. */
  importable: boolean;
}

export interface NetworkSummary {
  name: string;
  ipRange: string;
  nodes: NetworkNodeSummary[];
  accesses: NetworkAccessSummary[];
  warnings: string[];
}

export interface NetworkListing {
  networks: NetworkSummary[];
  /** Faults not tied to one network (malformed contracts, gridproxy's skipped elements). */
  warnings: string[];
}

/** The same context with each node looked up once for the whole listing. */
function memoNodes(ctx: NetworksContext): NetworksContext {
  const cache = new Map<number, Promise<GridNode | null>>();
  return {
    ...ctx,
    proxy: {
      ...ctx.proxy,
      contracts: (q) => ctx.proxy.contracts(q),
      node: (id) => {
        let p = cache.get(id);
        if (!p) {
          p = ctx.proxy.node(id);
          cache.set(id, p);
        }
        return p;
      },
    },
  };
}

export async function listNetworks(ctx: NetworksContext): Promise<NetworkListing> {
  const c = memoNodes(ctx);
  const { byName, warnings } = await networkContracts(c);
  const loaded = await Promise.all(
    [...byName].map(([name, contracts]) => loadMembers(c, name, contracts, false)),
  );
  const networks = loaded.map((n) => summarize(ctx, n)).filter((n): n is NetworkSummary => n !== undefined);
  for (const n of loaded) {
    if (n.members.length === 0) {
      warnings.push(`network ${n.name} skipped: none of its nodes gave a usable deployment`, ...n.warnings);
      for (const f of n.failures) warnings.push(f.error.message);
    }
  }
  return { networks, warnings };
}

function summarize(ctx: NetworksContext, n: LoadedNetwork): NetworkSummary | undefined {
  if (n.members.length === 0) return undefined;
  const warnings = [...n.warnings];
  for (const f of n.failures) warnings.push(`node ${f.contract.nodeId} skipped: ${f.error.message}`);
  let range: IpRange | undefined;
  const members = n.members.filter((m) => {
    const ipRange = m.workload.data.ip_range;
    try {
      const r = parseIpRange(ipRange);
      if (!range) range = r;
      if (r.text !== range.text) {
        warnings.push(
          `node ${m.contract.nodeId} skipped: ip_range ${ipRange} is not the network's ${range.text}`,
        );
        return false;
      }
      return true;
    } catch (e) {
      warnings.push(`node ${m.contract.nodeId} skipped: ${(e as Error).message}`);
      return false;
    }
  });
  if (!range || members.length === 0) return undefined;
  // A peer is a node of the network when its subnet is a node's (as the planner writes them), else an
  // access. Told by subnet, not by deriving each node's public key from its private key: that is an X25519
  // import per node (about 0.5 ms), a quarter of listing 20 networks of 5 nodes.
  const nodeBySubnet = new Map<string, number>();
  for (const m of members) nodeBySubnet.set(m.workload.data.subnet, m.contract.nodeId);

  // Each node's endpoint as the others dial it; a node no one dials falls back to gridproxy's IPv4.
  const dialled = new Map<number, string>();
  for (const m of members) {
    for (const p of m.workload.data.peers) {
      const id = nodeBySubnet.get(p.subnet);
      if (id !== undefined && p.endpoint !== '' && !dialled.has(id)) dialled.set(id, p.endpoint);
    }
  }
  const nodes: NetworkNodeSummary[] = members.map((m) => {
    let endpoint = dialled.get(m.contract.nodeId);
    const ipv4 = m.node.grid.publicConfig.ipv4.split('/')[0];
    if (endpoint === undefined && ipv4) {
      try {
        endpoint = formatEndpoint(ipv4, m.workload.data.wireguard_listen_port);
      } catch {
        endpoint = undefined;
      }
    }
    const result = m.workload.result;
    return {
      nodeId: m.contract.nodeId,
      subnet: m.workload.data.subnet,
      contractId: m.contract.contractId,
      contractState: m.contract.state,
      endpoint,
      state: typeof result?.state === 'string' ? result.state : 'unknown',
      ...(result?.state === 'error' && typeof result.message === 'string' ? { message: result.message } : {}),
    };
  });

  const withKey = new Set<string>();
  for (const m of members) {
    const { entries, problems } = readUserAccesses(range, m.workload.metadata);
    for (const p of problems) warnings.push(`node ${m.contract.nodeId} metadata: ${p}`);
    for (const e of entries) if (e.private_key !== undefined) withKey.add(`${e.node_id}:${e.subnet}`);
  }
  const accesses: NetworkAccessSummary[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    for (const p of m.workload.data.peers) {
      if (p.endpoint !== '' || nodeBySubnet.has(p.subnet) || seen.has(p.subnet)) continue;
      // A hidden node is also an "access point" with endpoint ""; its subnet is a node's, excluded above.
      seen.add(p.subnet);
      accesses.push({
        nodeId: m.contract.nodeId,
        subnet: p.subnet,
        publicKey: p.wireguard_public_key,
        mine: ctx.isMine?.(p.wireguard_public_key) ?? false,
        importable: withKey.has(`${m.contract.nodeId}:${p.subnet}`),
      });
    }
  }
  return { name: n.name, ipRange: range.text, nodes, accesses, warnings };
}
