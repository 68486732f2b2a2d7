/**
 * A synthetic Grid v3 network for benchmarks (scripts/bench.ts): `nodeCount` nodes, one in five hidden,
 * the others public (IPv4, IPv6-only, or public through their zos interface in turn), the first two access
 * nodes, and one access. The randomness is seeded so every run plans the same network; the keys are still
 * real X25519 (every node's public key is derived natively), which is the work a real plan does.
 */
import {
  planNetwork,
  type AccessNodeCandidate,
  type NetworkPlan,
  type NetworkPlanInput,
  type NodeFacts,
  type PlanRandom,
} from './network-plan.js';

/** A small seeded generator (mulberry32): reproducible, not for secrets. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededPlanRandom(seed: number): PlanRandom {
  const r = seeded(seed);
  return {
    int: (min, max) => Math.floor(r() * (max - min + 1)) + min,
    keyPair: () => {
      const secret = Buffer.from(Array.from({ length: 32 }, () => Math.floor(r() * 256)));
      return { privateKey: secret.toString('base64'), publicKey: '' };
    },
    choose: (c) => c[Math.floor(r() * c.length)]!,
  };
}

export function syntheticNetworkInput(nodeCount: number, seed = 1): NetworkPlanInput {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 250) {
    throw new RangeError('nodeCount must be 1–250 (a /16 has 254 subnets, one goes to the access)');
  }
  const nodes: NodeFacts[] = [];
  const candidates: AccessNodeCandidate[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const nodeId = 1000 + i;
    const v4 = `185.69.${Math.floor(i / 200)}.${(i % 200) + 10}`;
    const v6 = `2a02:1802:5e:0:${i.toString(16)}::1`;
    const kind = i < 2 ? 'access' : i % 5 === 4 ? 'hidden' : ['v4', 'v6', 'iface'][i % 3]!;
    const facts: NodeFacts = { nodeId, usedPorts: [2000 + i], publicConfig: null, interfaces: {} };
    if (kind === 'access' || kind === 'v4') facts.publicConfig = { ipv4: `${v4}/24`, ipv6: `${v6}/64` };
    if (kind === 'v6') facts.publicConfig = { ipv4: '10.1.0.5/24', ipv6: `${v6}/64` };
    if (kind === 'iface') facts.interfaces = { zos: ['192.168.1.5', v6] };
    if (kind === 'hidden') facts.interfaces = { zos: ['192.168.1.6'] };
    if (kind === 'access') candidates.push({ nodeId, ipv4: `${v4}/24`, ipv6: `${v6}/64` });
    nodes.push(facts);
  }
  return {
    name: 'bench',
    ipRange: '10.20.0.0/16',
    nodes,
    accessNodeCandidates: candidates,
    addAccesses: [{ nodeId: 1000, storePrivateKey: false }],
    random: seededPlanRandom(seed),
  };
}

/** Plans the synthetic network of `nodeCount` nodes (50 by default) from scratch. */
export function planSyntheticNetwork(nodeCount = 50, seed = 1): NetworkPlan {
  return planNetwork(syntheticNetworkInput(nodeCount, seed));
}
