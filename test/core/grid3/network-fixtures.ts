/** Deterministic inputs for the network planner's tests: one seeded source feeds ours and grid_client's. */
import type { NodeFacts, PlanRandom } from '../../../src/core/grid3/network-plan.js';
import type { GcRandomness, GcNetworkWorld } from './grid-client.js';
import { prng } from './fixtures.js';

/** 32 bytes from a seeded generator (a WireGuard secret; X25519 clamps it when used). */
function secretFrom(r: () => number): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => Math.floor(r() * 256));
}

/**
 * Two identical streams (ours and grid_client's): ports from one generator, keys from another, and a
 * choice that takes the first candidate (grid_client draws a hidden node's access node at every
 * regeneration, so only a choice that depends on the candidates alone can agree).
 */
export function sameRandomness(seed: number): { ours: PlanRandom; theirs: GcRandomness } {
  const make = () => {
    const ints = prng(seed);
    const keys = prng(seed ^ 0x5eed);
    return {
      int: (min: number, max: number) => Math.floor(ints() * (max - min + 1)) + min,
      secret: () => secretFrom(keys),
    };
  };
  const a = make();
  const b = make();
  return {
    ours: {
      int: a.int,
      keyPair: () => {
        const s = a.secret();
        return { privateKey: Buffer.from(s).toString('base64'), publicKey: '' };
      },
      choose: (c) => c[0]!,
    },
    theirs: { int: b.int, secretKey: b.secret, choose: (c) => c[0]! },
  };
}

export interface NodeSpec {
  id: number;
  /** zos public config; null for none. */
  pub: { ipv4: string; ipv6: string } | null;
  zos?: string[];
  used?: number[];
  /** gridproxy lists it with public IPv4 and IPv6. */
  access?: boolean;
}

export function factsOf(specs: readonly NodeSpec[]): NodeFacts[] {
  return specs.map((s) => ({
    nodeId: s.id,
    publicConfig: s.pub,
    interfaces: s.zos ? { zos: s.zos } : {},
    usedPorts: s.used ?? [],
  }));
}

export function candidatesOf(specs: readonly NodeSpec[]) {
  return specs.filter((s) => s.access).map((s) => ({ nodeId: s.id, ipv4: s.pub!.ipv4, ipv6: s.pub!.ipv6 }));
}

export function worldOf(specs: readonly NodeSpec[]): GcNetworkWorld {
  return {
    publicConfig: Object.fromEntries(specs.map((s) => [s.id, s.pub])),
    interfaces: Object.fromEntries(
      specs.map((s): [number, Record<string, string[]>] => [s.id, s.zos ? { zos: s.zos } : {}]),
    ),
    usedPorts: Object.fromEntries(specs.map((s) => [s.id, s.used ?? []])),
    accessNodes: Object.fromEntries(
      specs.filter((s) => s.access).map((s) => [s.id, { ipv4: s.pub!.ipv4, ipv6: s.pub!.ipv6, domain: '' }]),
    ),
  };
}

/** A mixed network: IPv4 access nodes, an IPv6-only node, one public through its zos interface, hidden ones. */
export const MIXED: NodeSpec[] = [
  { id: 11, pub: { ipv4: '185.69.166.7/24', ipv6: '2a02:1802:5e:0:1::7/64' }, access: true, used: [5000] },
  { id: 23, pub: { ipv4: '10.10.0.5/24', ipv6: '2a02:1802:5e:0:2::9/64' } },
  { id: 31, pub: null, zos: ['192.168.1.20', 'fe80::1', '2a10:b600:1:0:ec4:7aff:fe31:1'] },
  { id: 42, pub: null, zos: ['192.168.1.21'] },
  { id: 57, pub: { ipv4: '146.185.93.40/24', ipv6: '2a04:4540:3:0:5::40/64' }, access: true },
  { id: 63, pub: null },
];
