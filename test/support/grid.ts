/** Made-up grid nodes for planner tests: real ed25519 identities, documentation addresses. */
import { newIdentity, nodeIdOf, toHex, type Ed25519Identity } from '../../src/core/crypto/identity-keys.js';
import type { ExplorerNodeForPlan } from '../../src/core/overlay/planner.js';

export type Kind = 'public' | 'ipv6-only' | 'hidden' | 'ipv4-only';

export interface FakeNode extends ExplorerNodeForPlan {
  identity: Ed25519Identity;
  kind: Kind;
}

export function fakeNode(kind: Kind, i: number, via: 'public_config' | 'ifaces' = 'ifaces'): FakeNode {
  const identity = newIdentity();
  const v4 = `198.51.100.${10 + i}`;
  const v6 = `2001:db8::${(10 + i).toString(16)}`;
  const addrs =
    kind === 'public'
      ? [`${v4}/24`, `${v6}/64`]
      : kind === 'ipv4-only'
        ? [`${v4}/24`]
        : kind === 'ipv6-only'
          ? [`${v6}/64`, '192.168.1.5/24']
          : ['192.168.7.2/24', 'fe80::1/64'];
  const node: FakeNode = {
    identity,
    kind,
    node_id: nodeIdOf(identity.publicKey),
    public_key_hex: toHex(identity.publicKey),
    wg_ports: [2000 + i],
    ifaces: [{ name: 'zos', addrs }],
    public_config: null,
  };
  if (via === 'public_config' && kind !== 'hidden') {
    node.public_config = {
      master: 'zos',
      ipv4: kind === 'public' || kind === 'ipv4-only' ? `${v4}/24` : undefined,
      ipv6: kind !== 'ipv4-only' ? `${v6}/64` : undefined,
    };
    node.ifaces = [{ name: 'zos', addrs: ['192.168.1.9/24'] }];
  }
  return node;
}

import { registerNode } from '../../src/devnet/node-api.js';

/** Registers a fake node with an explorer, signed as a node would. */
export async function announce(explorer: string, node: FakeNode, farm = 1): Promise<void> {
  await registerNode(explorer, node.identity, {
    farm_id: farm,
    ifaces: (node.ifaces ?? []).map((i) => ({
      name: i.name ?? 'zos',
      addrs: i.addrs ?? [],
      gateway: [],
      macaddress: '',
    })),
    public_config: node.public_config
      ? {
          master: 'zos',
          type: 'macvlan',
          ipv4: node.public_config.ipv4 ?? '',
          ipv6: node.public_config.ipv6 ?? '',
          gw4: '',
          gw6: '',
          version: 1,
        }
      : null,
    wg_ports: node.wg_ports ?? [],
  });
}
