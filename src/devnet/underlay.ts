/**
 * The devnet's "internet": a core namespace with a bridge that every node, router and the laptop plug
 * into, on documentation addresses (198.51.100.0/24, 2001:db8:1::/64) so nothing leaves this machine.
 * A hidden node sits behind a router namespace that masquerades it with nftables and drops anything new
 * coming in: it can dial out, nobody can dial in — as behind a home NAT.
 */
import { deleteNamespace, inNs, must, mustInNs } from './host-commands.js';
import type { NodeKind } from './topology.js';

export const PREFIX = 'ocd';
export const CORE_NS = `${PREFIX}-core`;
export const LAPTOP_NS = `${PREFIX}-laptop`;
export const nodeNs = (name: string) => `${PREFIX}-${name}`;
export const routerNs = (name: string) => `${PREFIX}-r${name}`;

export interface UnderlayNode {
  name: string;
  kind: NodeKind;
  index: number;
}

export const publicV4 = (index: number) => `198.51.100.${10 + index}`;
export const publicV6 = (index: number) => `2001:db8:1::${(10 + index).toString(16)}`;
const routerV4 = (index: number) => `198.51.100.${100 + index}`;
const lan = (index: number) => `172.31.${index}`;
export const LAPTOP_V4 = '198.51.100.2';
export const LAPTOP_V6 = '2001:db8:1::2';

/** Plugs `ns` into the core bridge with the given addresses on its `eth0`. */
function plug(ns: string, tag: string, addrs: string[]): void {
  must('ip', '-n', CORE_NS, 'link', 'add', `c-${tag}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  must('ip', '-n', CORE_NS, 'link', 'set', `c-${tag}`, 'master', 'br0', 'up');
  for (const a of addrs)
    mustInNs(ns, 'ip', 'address', 'add', a, 'dev', 'eth0', ...(a.includes(':') ? ['nodad'] : []));
  mustInNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
}

function addNs(ns: string): void {
  must('ip', 'netns', 'add', ns);
  mustInNs(ns, 'ip', 'link', 'set', 'lo', 'up');
}

export function createUnderlay(nodes: UnderlayNode[]): void {
  addNs(CORE_NS);
  must('ip', '-n', CORE_NS, 'link', 'add', 'br0', 'type', 'bridge');
  must('ip', '-n', CORE_NS, 'link', 'set', 'br0', 'up');
  addNs(LAPTOP_NS);
  plug(LAPTOP_NS, 'laptop', [`${LAPTOP_V4}/24`, `${LAPTOP_V6}/64`]);
  for (const n of nodes) {
    const ns = nodeNs(n.name);
    addNs(ns);
    // Nodes route for their networks (entrypoints, relays): forwarding on, as on 0-OS.
    mustInNs(ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    mustInNs(ns, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1');
    if (n.kind === 'public') plug(ns, n.name, [`${publicV4(n.index)}/24`, `${publicV6(n.index)}/64`]);
    else if (n.kind === 'ipv6-only') plug(ns, n.name, [`${publicV6(n.index)}/64`]);
    else hideBehindNat(n);
  }
}

function hideBehindNat(n: UnderlayNode): void {
  const r = routerNs(n.name);
  addNs(r);
  plug(r, `r${n.name}`, [`${routerV4(n.index)}/24`]);
  must('ip', '-n', r, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', nodeNs(n.name));
  mustInNs(r, 'ip', 'address', 'add', `${lan(n.index)}.1/24`, 'dev', 'lan0');
  mustInNs(r, 'ip', 'link', 'set', 'lan0', 'up');
  mustInNs(r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  const ruleset = [
    'table ip devnet_nat {',
    '  chain postrouting { type nat hook postrouting priority 100; oifname "eth0" masquerade; }',
    '  chain forward { type filter hook forward priority 0; policy accept; iifname "eth0" ct state new drop; }',
    '}',
  ].join('\n');
  const nft = inNs(r, 'nft', ['-f', '/dev/stdin'], ruleset);
  if (!nft.ok) throw new Error(`nft in ${r}: ${nft.stderr.trim()}`);
  const ns = nodeNs(n.name);
  mustInNs(ns, 'ip', 'address', 'add', `${lan(n.index)}.2/24`, 'dev', 'eth0');
  mustInNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
  mustInNs(ns, 'ip', 'route', 'add', 'default', 'via', `${lan(n.index)}.1`);
}

/** The address a hidden node reports: private, so the planner sees it as hidden. */
export const hiddenAddress = (index: number) => `${lan(index)}.2`;

export function destroyUnderlay(nodes: Array<{ name: string; kind: NodeKind }>): void {
  for (const n of nodes) {
    deleteNamespace(nodeNs(n.name));
    deleteNamespace(routerNs(n.name));
  }
  deleteNamespace(LAPTOP_NS);
  deleteNamespace(CORE_NS);
}
