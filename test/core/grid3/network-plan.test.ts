/** The network planner's rules, one by one (parity with grid_client is network-plan-parity.test.ts). */
import { describe, expect, it } from 'vitest';
import { Grid3FormatError } from '../../../src/core/grid3/canonical.js';
import type { NetworkWorkload } from '../../../src/core/grid3/deployment.js';
import { isPublicAddress, nodeEndpointAddress } from '../../../src/core/grid3/endpoints.js';
import { laptopAllowedIps, laptopConfig } from '../../../src/core/grid3/laptop-config.js';
import { planSyntheticNetwork } from '../../../src/core/grid3/network-plan-bench.js';
import {
  accessConfig,
  planNetwork,
  type NetworkPlan,
  type NetworkPlanInput,
} from '../../../src/core/grid3/network-plan.js';
import { parseIpRange, SubnetAllocator, wgRoute } from '../../../src/core/grid3/subnets.js';
import {
  mergeUserAccesses,
  readUserAccesses,
  writeUserAccesses,
} from '../../../src/core/grid3/user-accesses.js';
import { isWgKey, wgPublicKey } from '../../../src/core/grid3/wg-keys.js';
import { parseUsedPorts, pickFreePort } from '../../../src/core/grid3/wg-ports.js';
import { MIXED, candidatesOf, factsOf, sameRandomness } from './network-fixtures.js';

const RANGE = '10.20.0.0/16';
const range = parseIpRange(RANGE);

function plan(over: Partial<NetworkPlanInput> = {}, seed = 1): NetworkPlan {
  return planNetwork({
    name: 'mynet',
    ipRange: RANGE,
    nodes: factsOf(MIXED),
    accessNodeCandidates: candidatesOf(MIXED),
    random: sameRandomness(seed).ours,
    ...over,
  });
}

const node = (p: NetworkPlan, id: number) => p.nodes.find((n) => n.nodeId === id)!;
const data = (p: NetworkPlan, id: number) => node(p, id).workload.data;
const existingOf = (p: NetworkPlan) => p.nodes.map((n) => ({ nodeId: n.nodeId, workload: n.workload }));
/** Every address prefix a node routes into WireGuard, with the peer's key. */
const routesOf = (p: NetworkPlan, id: number) =>
  data(p, id).peers.flatMap((peer) => peer.allowed_ips.map((a) => [a, peer.wireguard_public_key] as const));

describe('ip_range and subnets', () => {
  it('takes a private /16 written a.b.0.0/16 and refuses the rest', () => {
    expect(parseIpRange('192.168.0.0/16')).toMatchObject({ a: 192, b: 168 });
    expect(parseIpRange('172.31.0.0/16').b).toBe(31);
    for (const bad of [
      '10.20.0.0/24',
      '8.8.0.0/16',
      '100.64.0.0/16',
      '10.20.5.0/16',
      '10.020.0.0/16',
      '172.32.0.0/16',
      'x',
    ]) {
      expect(() => parseIpRange(bad)).toThrow(Grid3FormatError);
    }
  });

  it('hands out x.y.2.0/24 upward, skipping taken ones, and stops at .255', () => {
    const a = new SubnetAllocator(range);
    a.reserve('10.20.2.0/24');
    a.reserve('10.20.4.0/24');
    a.reserve('10.99.3.0/24'); // another range: not ours to skip
    expect([a.next(), a.next(), a.next()]).toEqual(['10.20.3.0/24', '10.20.5.0/24', '10.20.6.0/24']);
    for (let i = 7; i <= 255; i++) a.next();
    expect(() => a.next()).toThrow(/no free \/24/);
  });

  it('gives nodes subnets in the order given, then accesses; 100.64.b.c for x.b.c.0/24', () => {
    const p = plan({ addAccesses: [{ nodeId: 11 }] });
    expect(p.nodes.map((n) => n.workload.data.subnet)).toEqual(
      [2, 3, 4, 5, 6, 7].map((c) => `10.20.${c}.0/24`),
    );
    expect(p.nodes.map((n) => n.wgAddress)).toEqual([2, 3, 4, 5, 6, 7].map((c) => `100.64.20.${c}`));
    expect(p.addedAccesses[0]).toMatchObject({ subnet: '10.20.8.0/24', address: '100.64.20.8/32' });
  });
});

describe('ports and keys', () => {
  it('draws in 1024–32767 again while the port is used, and never loops for ever', () => {
    const draws = [5000, 5001, 9000];
    const used = new Set([5000, 5001]);
    expect(pickFreePort(used, () => draws.shift()!, 1)).toBe(9000);
    expect(() => pickFreePort(new Set(), () => 7, 1)).toThrow(/not an integer in 1024–32767/);
    const allButOne = new Set(
      Array.from({ length: 32767 - 1024 + 1 }, (_, i) => 1024 + i).filter((p) => p !== 30000),
    );
    expect(pickFreePort(allButOne, () => 1024, 1)).toBe(30000);
    allButOne.add(30000);
    expect(() => pickFreePort(allButOne, () => 1024, 9)).toThrow(/node 9 has no free WireGuard port/);
  });

  it('validates what list_wg_ports answers', () => {
    expect([...parseUsedPorts([1, 2], 1)]).toEqual([1, 2]);
    for (const bad of [null, 'x', [1.5], [-1], [70000], {}])
      expect(() => parseUsedPorts(bad, 3)).toThrow(/node 3/);
  });

  it('gives a new node a port it does not use, and peers the public key of its private key', () => {
    const p = plan();
    for (const n of p.nodes) {
      const port = n.workload.data.wireguard_listen_port;
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThanOrEqual(32767);
      expect(MIXED.find((s) => s.id === n.nodeId)!.used ?? []).not.toContain(port);
      const pub = wgPublicKey(n.workload.data.wireguard_private_key);
      for (const other of p.nodes) {
        for (const peer of other.workload.data.peers) {
          if (peer.subnet === n.workload.data.subnet) expect(peer.wireguard_public_key).toBe(pub);
        }
      }
    }
  });

  it('makes real keys with the system randomness', () => {
    const p = planNetwork({
      name: 'n',
      ipRange: RANGE,
      nodes: factsOf(MIXED.slice(0, 2)),
      accessNodeCandidates: [],
    });
    const [a, b] = p.nodes.map((n) => n.workload.data.wireguard_private_key);
    expect(isWgKey(a) && isWgKey(b) && a !== b).toBe(true);
  });
});

describe('endpoints', () => {
  it('takes the public IPv4, else the public IPv6, else the last public address of the zos interface', () => {
    expect(nodeEndpointAddress({ ipv4: '185.69.166.7/24', ipv6: '2a02::1/64' }, {})).toBe('185.69.166.7');
    expect(nodeEndpointAddress({ ipv4: '10.0.0.1/24', ipv6: '2A02:0:0::1/64' }, {})).toBe('2a02::1');
    expect(
      nodeEndpointAddress(
        { ipv4: '10.0.0.1/24', ipv6: 'fd00::1/64' },
        { zos: ['2a02::5', '1.1.1.1', '10.1.1.1'] },
      ),
    ).toBe('1.1.1.1');
    expect(nodeEndpointAddress(null, { zos: ['192.168.1.2', 'fe80::1'] })).toBeUndefined();
    expect(nodeEndpointAddress(null, { eth0: ['1.1.1.1'] })).toBeUndefined(); // only the zos interface
    // grid_client's quirk: an ipv4 field that is no address hides the ipv6 field.
    expect(nodeEndpointAddress({ ipv4: '', ipv6: '2a02::1/64' }, {})).toBeUndefined();
    expect(nodeEndpointAddress({ ipv4: 'junk', ipv6: '2a02::1/64' }, { zos: ['2a02::9'] })).toBe('2a02::9');
  });

  it('calls public what private-ip calls public', () => {
    for (const pub of ['185.69.166.7', '1.1.1.1', '2a02:1802:5e::1', '2001:4860::8888'])
      expect(isPublicAddress(pub)).toBe(true);
    for (const priv of [
      '10.1.1.1',
      '100.64.1.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.1.1',
      '127.0.0.1',
      '192.0.2.1',
      '198.51.100.1',
      '203.0.113.9',
      '0.1.2.3',
      '240.0.0.1',
      '::',
      '::1',
      'fd00::1',
      'fe80::1',
      'ff02::1',
      '2001:db8::1',
      '2002:101:101::1',
      '2001::1',
      '64:ff9b::101:101',
      '::ffff:1.2.3.4',
      'x',
      '',
      '1.1.1.1/32',
    ]) {
      expect(isPublicAddress(priv)).toBe(false);
    }
  });

  it('brackets IPv6 endpoints and meshes every pair of public nodes whatever the family', () => {
    const p = plan();
    const publicIds = [11, 23, 31, 57];
    for (const id of publicIds) {
      const endpoints = data(p, id)
        .peers.filter((x) => x.endpoint !== '')
        .map((x) => x.endpoint);
      expect(endpoints).toHaveLength(publicIds.length - 1);
    }
    expect(data(p, 11).peers.map((x) => x.endpoint)).toContain(
      `[2a02:1802:5e:0:2::9]:${data(p, 23).wireguard_listen_port}`,
    );
    expect(data(p, 23).peers.map((x) => x.endpoint)).toContain(
      `185.69.166.7:${data(p, 11).wireguard_listen_port}`,
    );
  });
});

describe('hidden nodes', () => {
  it('go through one access node whose single peer carries every other subnet and 100.64 address', () => {
    const p = plan({ addAccesses: [{ nodeId: 57 }] });
    const hidden = data(p, 42);
    expect(node(p, 42).accessNodeId).toBe(11);
    expect(hidden.peers).toHaveLength(1);
    const [peer] = hidden.peers;
    expect(peer!.wireguard_public_key).toBe(wgPublicKey(data(p, 11).wireguard_private_key));
    // Its own subnet too: grid_client adds the access node's served subnets after the others, and the
    // hidden node is one of them (harmless: the node's own /24 is on its bridge, a longer route).
    const others = [...p.nodes.map((n) => n.workload.data.subnet), p.addedAccesses[0]!.subnet];
    expect(new Set(peer!.allowed_ips)).toEqual(new Set(others.flatMap((s) => [s, wgRoute(range, s)])));
    // The access node has it as an endpoint-less peer; every other node routes it through the access node.
    expect(data(p, 11).peers.find((x) => x.subnet === hidden.subnet)).toMatchObject({
      endpoint: '',
      allowed_ips: [hidden.subnet, '100.64.20.5/32'],
    });
    const accessKey = wgPublicKey(data(p, 11).wireguard_private_key);
    for (const id of [23, 31, 57]) expect(routesOf(p, id)).toContainEqual([hidden.subnet, accessKey]);
  });

  it("fail with grid_client's words when the network has no usable access node", () => {
    const nodes = factsOf(MIXED.filter((s) => [23, 42].includes(s.id)));
    expect(() => plan({ nodes })).toThrow(
      "Couldn't add node 42 as it's a hidden node and there is no access node in this network mynet. Please add addAccess = true in the network configuration.",
    );
    // A candidate that gives no public address itself does not count.
    expect(() => plan({ nodes, accessNodeCandidates: [{ nodeId: 42, ipv4: '185.1.1.1/24' }] })).toThrow(
      /no access node/,
    );
    // A lone hidden node needs none.
    expect(plan({ nodes: factsOf(MIXED.filter((s) => s.id === 42)) }).nodes[0]!.workload.data.peers).toEqual(
      [],
    );
  });

  it('keep their access node when the network is planned again, while it is still one', () => {
    const p = plan({}, 1);
    const again = plan({
      existing: existingOf(p),
      random: { ...sameRandomness(2).ours, choose: (c) => c[c.length - 1]! },
    });
    expect(node(again, 42).accessNodeId).toBe(11);
    expect(again.changedNodeIds).toEqual([]);
    // Node 11 no longer listed by gridproxy (down): the hidden nodes move to 57.
    const moved = plan({
      existing: existingOf(p),
      accessNodeCandidates: candidatesOf(MIXED).filter((c) => c.nodeId === 57),
    });
    expect(node(moved, 42).accessNodeId).toBe(57);
    expect(moved.changedNodeIds.sort()).toEqual([11, 23, 31, 42, 57, 63]);
  });
});

describe('accesses', () => {
  it('are peers with endpoint "" on the access node, routed through it by every other node', () => {
    const p = plan({ addAccesses: [{ nodeId: 11, storePrivateKey: true }] });
    const a = p.addedAccesses[0]!;
    expect(data(p, 11).peers.find((x) => x.subnet === a.subnet)).toEqual({
      subnet: a.subnet,
      wireguard_public_key: a.publicKey,
      allowed_ips: [a.subnet, a.address],
      endpoint: '',
    });
    const accessKey = wgPublicKey(data(p, 11).wireguard_private_key);
    for (const id of [23, 31, 42, 57, 63]) {
      expect(routesOf(p, id)).toContainEqual([a.subnet, accessKey]);
      expect(routesOf(p, id)).toContainEqual([a.address, accessKey]);
    }
    expect(a.endpoint).toBe(`185.69.166.7:${data(p, 11).wireguard_listen_port}`);
    expect(a.publicKey).toBe(wgPublicKey(a.privateKey!));
  });

  it('refuse a node outside the network, one gridproxy does not list, or one without a public IPv4 there', () => {
    expect(() => plan({ addAccesses: [{ nodeId: 99 }] })).toThrow(
      'Node 99 does not exist in the network. Please add it first.',
    );
    expect(() => plan({ addAccesses: [{ nodeId: 23 }] })).toThrow('Node 23 is not an access node.');
    const p = plan({
      accessNodeCandidates: [...candidatesOf(MIXED), { nodeId: 23, ipv4: '10.1.1.1/24' }],
      addAccesses: [],
    });
    expect(p.warnings).toContain('access node candidate 23 ignored: no public IPv4');
  });

  it('can use a key the device made itself: then no private key exists here and none is written', () => {
    const device = wgPublicKey(Buffer.alloc(32, 9).toString('base64'));
    const p = plan({ addAccesses: [{ nodeId: 11, publicKey: device, storePrivateKey: true }] });
    expect(p.addedAccesses[0]).toMatchObject({ publicKey: device, privateKey: undefined, config: undefined });
    expect(p.userAccesses).toEqual([{ node_id: 11, subnet: '10.20.8.0/24' }]);
    expect(() =>
      plan({ addAccesses: [{ nodeId: 11, publicKey: wgPublicKey(data(p, 11).wireguard_private_key) }] }),
    ).toThrow(/already used/);
  });
});

describe('user_accesses metadata', () => {
  it('is written on every node as grid_client writes it, the private key only if asked', () => {
    const kept = plan({ addAccesses: [{ nodeId: 11, storePrivateKey: true }] });
    const a = kept.addedAccesses[0]!;
    for (const n of kept.nodes) {
      expect(n.workload.metadata).toBe(
        `{"version":3,"user_accesses":[{"node_id":11,"private_key":"${a.privateKey}","subnet":"10.20.8.0/24"}]}`,
      );
    }
    const notKept = plan({ addAccesses: [{ nodeId: 11 }] });
    expect(notKept.nodes[0]!.workload.metadata).toBe(
      '{"version":3,"user_accesses":[{"node_id":11,"subnet":"10.20.8.0/24"}]}',
    );
    expect(plan().nodes[0]!.workload.metadata).toBe('{"version":3,"user_accesses":[]}');
  });

  it("keeps other devices' entries (unknown fields too) and other metadata keys", () => {
    const other = {
      node_id: 57,
      subnet: '10.20.30.0/24',
      private_key: Buffer.alloc(32, 1).toString('base64'),
      label: 'phone',
    };
    const metadata = JSON.stringify({ note: 'x', version: 3, user_accesses: [other] });
    expect(writeUserAccesses(metadata, [other, { node_id: 11, subnet: '10.20.8.0/24' }])).toBe(
      JSON.stringify({
        note: 'x',
        version: 3,
        user_accesses: [other, { node_id: 11, subnet: '10.20.8.0/24' }],
      }),
    );
    const p0 = plan();
    const existing = existingOf(p0).map((e) => ({ ...e, workload: { ...e.workload, metadata } }));
    const p = plan({ existing, addAccesses: [{ nodeId: 11 }] }, 7);
    expect(p.userAccesses).toEqual([other, { node_id: 11, subnet: '10.20.8.0/24' }]);
    // Its subnet is taken although no peer serves it (grid_client would hand it out again).
    expect(p.addedAccesses[0]!.subnet).toBe('10.20.8.0/24');
    const p2 = plan({ existing, addAccesses: [{ nodeId: 11 }, { nodeId: 11 }] }, 7);
    expect(p2.addedAccesses.map((x) => x.subnet)).toEqual(['10.20.8.0/24', '10.20.9.0/24']);
  });

  it('is read from every workload, merged by subnet, and unusable entries are named and dropped', () => {
    const k = Buffer.alloc(32, 2).toString('base64');
    const m1 = JSON.stringify({
      version: 3,
      user_accesses: [
        { node_id: 11, subnet: '10.20.8.0/24' },
        'junk',
        { node_id: 11, subnet: '10.99.1.0/24' },
      ],
    });
    const m2 = JSON.stringify({
      version: 3,
      user_accesses: [
        { node_id: 11, subnet: '10.20.8.0/24', private_key: k },
        { node_id: 57, subnet: '10.20.9.0/24' },
      ],
    });
    const r1 = readUserAccesses(range, m1);
    expect(r1.problems).toEqual([
      'user_accesses[1]: not an object',
      'user_accesses[2]: subnet is not a /24 of 10.20.0.0/16',
    ]);
    const merged = mergeUserAccesses([r1.entries, readUserAccesses(range, m2).entries]);
    expect(merged).toEqual([
      { node_id: 11, subnet: '10.20.8.0/24', private_key: k },
      { node_id: 57, subnet: '10.20.9.0/24' },
    ]);
    expect(readUserAccesses(range, 'not json').problems).toEqual(['metadata is not a JSON object']);
    expect(readUserAccesses(range, '').entries).toEqual([]);
    expect(readUserAccesses(range, '{"user_accesses":{}}').problems).toEqual(['user_accesses is not a list']);
  });
});

describe('the laptop config', () => {
  it('has Address 100.64.b.c/32, the access node as its one peer, keepalive 25 and the endpoint', () => {
    const p = plan({ addAccesses: [{ nodeId: 11, storePrivateKey: true }] });
    const a = p.addedAccesses[0]!;
    expect(a.config).toBe(
      [
        '[Interface]',
        'Address = 100.64.20.8/32',
        `PrivateKey = ${a.privateKey}`,
        '',
        '[Peer]',
        `PublicKey = ${wgPublicKey(data(p, 11).wireguard_private_key)}`,
        'AllowedIPs = 10.20.0.0/16, 100.64.20.0/24',
        'PersistentKeepalive = 25',
        `Endpoint = 185.69.166.7:${data(p, 11).wireguard_listen_port}`,
        '',
      ].join('\n'),
    );
    expect(
      accessConfig(p, { nodeId: 11, subnet: a.subnet, privateKey: a.privateKey! }, candidatesOf(MIXED)[0]!),
    ).toBe(a.config);
  });

  it("routes every node's 100.64 address (grid_client's 100.64.b.0/32 routes none) and no other network's", () => {
    const inPrefix = (addr: string, prefix: string) => {
      const [base, bits] = prefix.split('/') as [string, string];
      const n = (s: string) => s.split('.').reduce((x, o) => x * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits));
      return Math.floor(n(addr) / size) === Math.floor(n(base) / size);
    };
    const p = plan({ addAccesses: [{ nodeId: 11 }] });
    const allowed = laptopAllowedIps(range);
    for (const n of p.nodes) expect(allowed.some((a) => inPrefix(n.wgAddress, a))).toBe(true);
    for (const c of [0, 2, 255]) expect(inPrefix(`100.64.20.${c}`, allowed[1]!)).toBe(true);
    expect(inPrefix('100.64.21.2', allowed[1]!)).toBe(false);
    expect(p.nodes.some((n) => inPrefix(n.wgAddress, '100.64.20.0/32'))).toBe(false);
    expect(laptopAllowedIps(parseIpRange('192.168.0.0/16'))).toEqual(['192.168.0.0/16', '100.64.168.0/24']);
    expect(() =>
      laptopConfig({
        range,
        subnet: '10.20.8.0/24',
        privateKey: 'x',
        accessNodePublicKey: 'y',
        endpoint: '1.1.1.1:1',
      }),
    ).toThrow();
  });
});

describe('changing an existing network', () => {
  it('changes nothing when planned again with nothing to do', () => {
    const p = plan({ addAccesses: [{ nodeId: 11 }] });
    const again = plan({ existing: existingOf(p) }, 2);
    expect(again.changedNodeIds).toEqual([]);
    expect(again.nodes.map((n) => n.workload)).toEqual(p.nodes.map((n) => n.workload));
  });

  it('adding an access changes every node (routes and metadata) and keeps subnets, keys and ports', () => {
    const p = plan();
    const versioned = existingOf(p).map((e) => ({
      ...e,
      workload: { ...e.workload, version: 3, description: 'd' },
    }));
    const q = plan({ existing: versioned, addAccesses: [{ nodeId: 57 }] }, 2);
    expect(q.changedNodeIds).toEqual([11, 23, 31, 42, 57, 63]);
    for (const n of q.nodes) {
      const before = data(p, n.nodeId);
      expect(n.status).toBe('changed');
      expect(n.workload).toMatchObject({ version: 3, description: 'd' }); // the caller bumps the version
      expect([
        n.workload.data.subnet,
        n.workload.data.wireguard_private_key,
        n.workload.data.wireguard_listen_port,
      ]).toEqual([before.subnet, before.wireguard_private_key, before.wireguard_listen_port]);
    }
  });

  it('removing an access drops its peer, its routes and its entry, keeps the others, and frees its subnet', () => {
    const p = plan({ addAccesses: [{ nodeId: 11, storePrivateKey: true }, { nodeId: 57 }] });
    const [a, b] = p.addedAccesses as [
      NonNullable<(typeof p.addedAccesses)[0]>,
      NonNullable<(typeof p.addedAccesses)[0]>,
    ];
    const q = plan({ existing: existingOf(p), removeAccesses: [a.subnet] }, 2);
    for (const n of q.nodes) {
      expect(
        n.workload.data.peers.some((x) => x.subnet === a.subnet || x.allowed_ips.includes(a.subnet)),
      ).toBe(false);
      expect(n.workload.metadata).toBe(
        `{"version":3,"user_accesses":[{"node_id":57,"subnet":"${b.subnet}"}]}`,
      );
    }
    expect(data(q, 57).peers.find((x) => x.subnet === b.subnet)!.endpoint).toBe('');
    expect(q.changedNodeIds).toEqual([11, 23, 31, 42, 57, 63]);
    expect(plan({ existing: existingOf(q), addAccesses: [{ nodeId: 11 }] }, 3).addedAccesses[0]!.subnet).toBe(
      a.subnet,
    );
    expect(() => plan({ existing: existingOf(q), removeAccesses: [a.subnet] })).toThrow(
      /no access with subnet 10.20.8.0\/24/,
    );
  });

  it('adds a node: the new one is "new", the others change', () => {
    const base = MIXED.filter((s) => s.id !== 57);
    const p = plan({ nodes: factsOf(base), accessNodeCandidates: candidatesOf(base) });
    const q = plan({ existing: existingOf(p) });
    expect(node(q, 57).status).toBe('new');
    expect(data(q, 57).subnet).toBe('10.20.7.0/24');
    expect(q.changedNodeIds).toEqual([11, 23, 31, 42, 63, 57]);
  });

  it('refuses what the grid sends that it cannot trust', () => {
    const p = plan();
    const w = (f: (x: NetworkWorkload) => void) => {
      const e = structuredClone(existingOf(p));
      f(e[0]!.workload);
      return () => plan({ existing: e });
    };
    expect(w((x) => (x.data.ip_range = '10.21.0.0/16'))).toThrow(
      'The same network name mynet with a different ip range already exists.',
    );
    expect(w((x) => (x.data.subnet = '10.21.2.0/24'))).toThrow(/not a \/24 of 10.20.0.0\/16/);
    expect(w((x) => (x.data.wireguard_private_key = 'abc'))).toThrow(/not a WireGuard key/);
    expect(w((x) => (x.data.wireguard_listen_port = 0))).toThrow(/not a port/);
    expect(w((x) => (x.data.subnet = '10.20.3.0/24'))).toThrow(/on two nodes/);
    expect(w((x) => (x.name = 'other'))).toThrow(/is not network "mynet"/);
    expect(w((x) => (x.data.peers[0]!.wireguard_public_key = 'k'))).toThrow(/peers\[0\]/);
    expect(() => plan({ existing: existingOf(p), nodes: factsOf(MIXED.slice(1)) })).toThrow(
      /no facts were given/,
    );
    expect(() => plan({ nodes: [...factsOf(MIXED), ...factsOf(MIXED.slice(0, 1))] })).toThrow(/listed twice/);
    expect(() => plan({ name: 'ygg' })).toThrow(/network name/);
    expect(() => plan({ ipRange: '10.20.0.0/24' })).toThrow(Grid3FormatError);
    // A deleted workload is not part of the network (grid_client skips it too).
    const e = existingOf(p).map((x, i) =>
      i === 5
        ? {
            ...x,
            workload: {
              ...x.workload,
              result: { created: 0, state: 'deleted' as const, message: '', data: null },
            },
          }
        : x,
    );
    expect(plan({ existing: e }).nodes.find((n) => n.nodeId === 63)!.status).toBe('new');
  });
});

describe('the benchmark network', () => {
  it('plans 50 nodes (hidden ones through the access nodes, one access) in well under a second', () => {
    const t = performance.now();
    const p = planSyntheticNetwork(50);
    const ms = performance.now() - t;
    expect(p.nodes).toHaveLength(50);
    expect(p.nodes.filter((n) => n.accessNodeId !== undefined)).toHaveLength(10);
    expect(p.addedAccesses[0]!.subnet).toBe('10.20.52.0/24');
    expect(ms).toBeLessThan(2000);
  });
});
