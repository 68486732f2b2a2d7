/** Which nodes a devnet has: a JSON file `{"nodes": [{"name": "n1", "kind": "public"}, …]}`. */
import { readFileSync } from 'node:fs';
import { UserError } from '../core/errors.js';

export type NodeKind = 'public' | 'ipv6-only' | 'hidden';

export interface Topology {
  nodes: Array<{ name: string; kind: NodeKind; farm: number }>;
}

/** Two nodes with IPv4 and IPv6, one IPv6-only, one hidden behind NAT. */
export const DEFAULT_TOPOLOGY: Topology = {
  nodes: [
    { name: 'n1', kind: 'public', farm: 1 },
    { name: 'n2', kind: 'public', farm: 1 },
    { name: 'n3', kind: 'ipv6-only', farm: 1 },
    { name: 'n4', kind: 'hidden', farm: 2 },
  ],
};

export function parseTopology(text: string): Topology {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError('The topology file is not JSON');
  }
  const nodes = (raw as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes) || nodes.length < 1 || nodes.length > 40)
    throw new UserError('A topology has "nodes": a list of 1 to 40 nodes');
  const seen = new Set<string>();
  return {
    nodes: nodes.map((n, i) => {
      const {
        name = `n${i + 1}`,
        kind,
        farm = 1,
      } = (n ?? {}) as { name?: unknown; kind?: unknown; farm?: unknown };
      if (typeof name !== 'string' || !/^[a-z][a-z0-9]{0,5}$/.test(name))
        throw new UserError(`Node ${i + 1}: a name is a lower-case letter and up to 5 letters or digits`);
      if (seen.has(name)) throw new UserError(`Node name ${name} is used twice`);
      seen.add(name);
      if (kind !== 'public' && kind !== 'ipv6-only' && kind !== 'hidden')
        throw new UserError(`Node ${name}: kind must be public, ipv6-only or hidden`);
      if (!Number.isInteger(farm) || (farm as number) < 1)
        throw new UserError(`Node ${name}: farm must be a positive number`);
      return { name, kind, farm: farm as number };
    }),
  };
}

export function readTopology(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  return parseTopology(text);
}
