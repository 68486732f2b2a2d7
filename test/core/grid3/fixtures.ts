/** Deterministic deployments for the parity tests (documentation address ranges only). */
import nacl from 'tweetnacl';
import type { Deployment, NetworkWorkload, ZmountWorkload } from '../../../src/core/grid3/deployment.js';

/** A fixed X25519 key pair (base64, as WireGuard and zos write keys) from one byte repeated. */
export function wgKeys(n: number): { privateKey: string; publicKey: string } {
  const kp = nacl.box.keyPair.fromSecretKey(new Uint8Array(32).fill(n));
  return {
    privateKey: Buffer.from(kp.secretKey).toString('base64'),
    publicKey: Buffer.from(kp.publicKey).toString('base64'),
  };
}

const requirement = (twin: number) => ({
  requests: [{ twin_id: twin, required: false, weight: 1 }],
  weight_required: 1,
  signatures: [],
});

/** The doc's test vector (docs/grid-v3.md): hash 8568e3dfb18de8507824b6f7bfae9dca. */
export const DOC_VECTOR: Deployment = {
  version: 0,
  twin_id: 42,
  contract_id: 0,
  metadata: '{"version":3,"type":"network","name":"mynet","projectName":""}',
  description: '',
  expiration: 0,
  signature_requirement: requirement(42),
  workloads: [
    {
      version: 0,
      name: 'mynet',
      type: 'network',
      metadata: '',
      description: '',
      data: {
        ip_range: '10.20.0.0/16',
        subnet: '10.20.2.0/24',
        wireguard_private_key: 'GLdvVRcc3JyV0g6Mh0I6ptLKSMAkgJpmYB3eX5HfAHU=',
        wireguard_listen_port: 23456,
        peers: [
          {
            subnet: '10.20.3.0/24',
            wireguard_public_key: '9Nbbz0n9vT3lNrBbjlDXYIjtkEtWDDc1VOwm8CwpPTw=',
            allowed_ips: ['10.20.3.0/24', '100.64.20.3/32'],
            endpoint: '185.69.166.7:5432',
          },
        ],
      },
    },
  ],
};
export const DOC_VECTOR_HASH = '8568e3dfb18de8507824b6f7bfae9dca';

/**
 * A network resource on one node with three peers: two nodes reached over IPv4 and IPv6 and a third over
 * IPv6 with a compressed zero run, plus a mycelium key; and a zmount in the same deployment.
 */
export function threePeerDeployment(): Deployment {
  const own = wgKeys(1);
  const network: NetworkWorkload = {
    version: 0,
    name: 'overlay_net',
    type: 'network',
    metadata: JSON.stringify({
      version: 3,
      user_accesses: [{ node_id: 11, private_key: wgKeys(9).privateKey, subnet: '10.42.5.0/24' }],
    }),
    description: 'réseau privé ✓',
    data: {
      ip_range: '10.42.0.0/16',
      subnet: '10.42.2.0/24',
      wireguard_private_key: own.privateKey,
      wireguard_listen_port: 5123,
      peers: [
        {
          subnet: '10.42.3.0/24',
          wireguard_public_key: wgKeys(2).publicKey,
          allowed_ips: ['10.42.3.0/24', '100.64.42.3/32'],
          endpoint: '198.51.100.7:23456',
        },
        {
          subnet: '10.42.4.0/24',
          wireguard_public_key: wgKeys(3).publicKey,
          allowed_ips: ['10.42.4.0/24', '100.64.42.4/32', '10.42.5.0/24', '100.64.42.5/32'],
          endpoint: '[2001:db8:4::1]:1024',
        },
        {
          subnet: '10.42.6.0/24',
          wireguard_public_key: wgKeys(4).publicKey,
          allowed_ips: ['10.42.6.0/24', '100.64.42.6/32', '2001:db8:6::/48'],
          endpoint: '[2001:db8::6:0:0:1]:32767',
        },
      ],
      mycelium: { hex_key: 'ab'.repeat(32), peers: [] },
    },
  };
  const disk: ZmountWorkload = {
    version: 0,
    name: 'disk_1',
    type: 'zmount',
    metadata: '',
    description: '',
    data: { size: 1024 ** 3 },
  };
  return {
    version: 0,
    twin_id: 7001,
    contract_id: 0,
    metadata: '{"version":3,"type":"network","name":"overlay_net","projectName":""}',
    description: '',
    expiration: 0,
    signature_requirement: requirement(7001),
    workloads: [network, disk],
  };
}

/** A small seeded PRNG (mulberry32) so that generated fixtures are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, max: number) => Math.floor(r() * (max + 1));

/** 16 bytes of an IPv6 address in 2001:db8::/32 whose groups are often zero (to exercise `::`). */
export function randomV6Bytes(r: () => number): number[] {
  const groups = [0x2001, 0xdb8, ...Array.from({ length: 6 }, () => (r() < 0.5 ? 0 : int(r, 0xffff)))];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Other ways of writing the same IPv6 address: uppercase, uncompressed, zero-padded, another `::`. */
export function v6Spellings(bytes: readonly number[]): string[] {
  const g = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  const full = g.map((x) => x.toString(16)).join(':');
  const padded = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
  const out = [full, padded, padded.toUpperCase()];
  // `::` over every run of zeros (not only the longest)
  for (let i = 0; i < 8; i++) {
    if (g[i] !== 0) continue;
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    out.push(
      `${g
        .slice(0, i)
        .map((x) => x.toString(16))
        .join(':')}::${g
        .slice(j)
        .map((x) => x.toString(16))
        .join(':')}`,
    );
    i = j;
  }
  const tail = `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  out.push(
    `${g
      .slice(0, 6)
      .map((x) => x.toString(16))
      .join(':')}:${tail}`,
  );
  return out;
}

export function randomV4(r: () => number): string {
  return pick(r, [
    () => `10.${int(r, 255)}.${int(r, 255)}.${int(r, 255)}`,
    () => `100.64.${int(r, 255)}.${int(r, 255)}`,
    () => `198.51.100.${int(r, 255)}`,
  ])();
}

/** Strings for metadata and descriptions, with JSON, quotes, non-ASCII and astral characters. */
function randomText(r: () => number): string {
  return pick(r, ['', 'x', '{"version":3,"user_accesses":[]}', 'élan ✓ 𝄞', 'a"b\\c\n', '0', 'true']);
}

/** A deployment of random canonical content, as the planner could write it. */
export function randomDeployment(r: () => number): Deployment {
  const twin = 1 + int(r, 100_000);
  const b = int(r, 255);
  const v6prefix = (bits: number) => `2001:db8:${int(r, 0xffff).toString(16)}::/${bits}`;
  const peers = Array.from({ length: int(r, 4) }, (_, i) => {
    const c = (i + 3) % 256;
    const allowed = [`10.${b}.${c}.0/24`, `100.64.${b}.${c}/32`];
    if (r() < 0.3) allowed.push(v6prefix(48));
    if (r() < 0.3) allowed.push(`${randomV4(r)}/32`);
    const endpoint = pick(r, [
      () => '',
      () => `${randomV4(r)}:${1 + int(r, 65534)}`,
      () => `[${canonicalV6(randomV6Bytes(r))}]:${1 + int(r, 65534)}`,
    ])();
    return {
      subnet: `10.${b}.${c}.0/24`,
      wireguard_public_key: wgKeys(10 + i).publicKey,
      allowed_ips: allowed,
      endpoint,
    };
  });
  const workloads: Deployment['workloads'] = [
    {
      version: int(r, 3),
      name: pick(r, ['net', 'my_network_1', 'N'.repeat(36)]),
      type: 'network',
      metadata: randomText(r),
      description: randomText(r),
      data: {
        ip_range: `10.${b}.0.0/16`,
        subnet: `10.${b}.2.0/24`,
        wireguard_private_key: wgKeys(int(r, 255)).privateKey,
        wireguard_listen_port: int(r, 65535),
        peers,
        ...(r() < 0.5
          ? {
              mycelium: {
                hex_key: Buffer.from(Array.from({ length: 32 }, () => int(r, 255))).toString('hex'),
                peers: [],
              },
            }
          : {}),
      },
    },
  ];
  if (r() < 0.5) {
    workloads.push({
      version: 0,
      name: 'disk',
      type: 'zmount',
      metadata: '',
      description: randomText(r),
      data: { size: int(r, 2 ** 40) },
    });
  }
  const requests = [{ twin_id: twin, required: r() < 0.5, weight: 1 + int(r, 3) }];
  if (r() < 0.3) requests.push({ twin_id: twin + 1, required: r() < 0.5, weight: 1 + int(r, 3) });
  return {
    version: int(r, 5),
    twin_id: twin,
    contract_id: int(r, 1e6),
    metadata: randomText(r),
    description: randomText(r),
    expiration: pick(r, [0, 0, 1_700_000_000]),
    signature_requirement: { requests, weight_required: 1 + int(r, 2), signatures: [] },
    workloads,
  };
}

/** RFC 5952 by the simplest rule (independent of src's formatter): the first longest zero run ≥ 2. */
export function canonicalV6(bytes: readonly number[]): string {
  const g = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  const s = `:${g.join(':')}:`;
  for (let n = 8; n >= 2; n--) {
    const run = `:${Array(n).fill('0').join(':')}:`;
    const at = s.indexOf(run);
    if (at >= 0) return `${s.slice(0, at)}::${s.slice(at + run.length)}`.replace(/^:(?!:)|(?<!:):$/g, '');
  }
  return g.join(':');
}
