/**
 * The mesh as an SVG: nodes on a circle coloured by how they are reached, direct peerings as lines,
 * hidden nodes' relay as a dashed arrow to the relay, and the laptop entering at its entrypoint.
 */
import type { NetworkView } from '../contract/api.js';
import { s } from './dom.js';

const KIND_CLASS = { public: 'node-public', 'ipv6-only': 'node-v6', hidden: 'node-hidden' } as const;

export function topologyDiagram(net: NetworkView): SVGElement {
  const n = net.nodes.length;
  const size = Math.max(320, Math.min(900, 120 + n * 14));
  const c = size / 2;
  const r = c - 60;
  const pos = new Map(
    net.nodes.map((node, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2;
      return [node.nodeId, { x: c + r * Math.cos(a), y: c + r * Math.sin(a) }];
    }),
  );
  const svg = s('svg', {
    viewBox: `0 0 ${size} ${size}`,
    width: size,
    height: size,
    role: 'img',
    'aria-label': `Topology of ${net.name}`,
    class: 'topology',
  });
  const edges = s('g', { class: 'edges' });
  const line = (from: string, to: string, cls: string, extra: Record<string, string> = {}) => {
    const a = pos.get(from);
    const b = pos.get(to);
    if (a && b) edges.append(s('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: cls, ...extra }));
  };
  for (const [a, b] of net.links) line(a, b, 'edge');
  for (const node of net.nodes)
    if (node.relayVia)
      line(node.nodeId, node.relayVia, 'edge relay', { 'data-relay': `${node.nodeId}->${node.relayVia}` });
  svg.append(edges);
  for (const acc of net.accesses) {
    const e = pos.get(acc.nodeId);
    if (!e) continue;
    const lx = c + (e.x - c) * 0.35;
    const ly = c + (e.y - c) * 0.35;
    svg.append(s('line', { x1: lx, y1: ly, x2: e.x, y2: e.y, class: 'edge laptop' }));
    svg.append(
      s(
        'g',
        { class: 'laptop-node', 'data-entrypoint': acc.nodeId },
        s('rect', { x: lx - 56, y: ly - 11, width: 112, height: 22, rx: 6 }),
        s('text', { x: lx, y: ly + 4, 'text-anchor': 'middle' }, `laptop ${acc.wgAddress}`),
      ),
    );
  }
  const nodes = s('g', { class: 'nodes' });
  for (const node of net.nodes) {
    const p = pos.get(node.nodeId)!;
    const isRelay = node.nodeId === net.relay && net.nodes.some((x) => x.endpointKind === 'hidden');
    nodes.append(
      s(
        'g',
        {
          class: `node ${KIND_CLASS[node.endpointKind]}${isRelay ? ' relay-node' : ''}`,
          'data-node': node.nodeId,
        },
        s('title', {}, `${node.nodeId}\n${node.subnet} · ${node.endpointKind}${isRelay ? ' · relay' : ''}`),
        s('circle', { cx: p.x, cy: p.y, r: n > 60 ? 5 : 14 }),
        n <= 60
          ? s('text', { x: p.x, y: p.y + 28, 'text-anchor': 'middle' }, node.subnet.replace(/\.0\/24$/, ''))
          : null,
      ),
    );
  }
  svg.append(nodes);
  return svg;
}
