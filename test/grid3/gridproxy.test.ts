/**
 * Our gridproxy client against our stand-in over real HTTP on loopback (filters, paging, count), and against
 * hostile replies from a scripted server (wrong types, huge bodies, contradicting elements, non-JSON, silence):
 * each becomes a skipped element with a warning or a GridproxyError naming the path and status, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGridproxy, type GridproxyServer } from '../../src/devnet/v3/gridproxy-server.js';
import { Gridproxy, GridproxyError, gridproxyUrl } from '../../src/grid3/gridproxy.js';
import { ALICE, fixtureSource, NOW, USER_TWIN } from './gridproxy-fixture.js';

let stand: GridproxyServer;
let gp: Gridproxy;

beforeAll(async () => {
  stand = await startGridproxy({ source: fixtureSource({ bulk: true }), now: () => NOW });
  gp = new Gridproxy({ url: stand.url });
});
afterAll(async () => {
  await stand.close();
});

const ids = (xs: { nodeId: number }[]) => xs.map((x) => x.nodeId);
const small = (xs: { nodeId: number }[]) => ids(xs).filter((i) => i < 100);

describe('gridproxy client against the stand-in', () => {
  it('names the networks as grid_client does', () => {
    expect(gridproxyUrl('main')).toBe('https://gridproxy.grid.tf');
    expect(gridproxyUrl('dev')).toBe('https://gridproxy.dev.grid.tf');
    expect(new Gridproxy({ network: 'test' }).baseUrl).toBe('https://gridproxy.test.grid.tf');
    expect(() => new Gridproxy({ url: 'file:///etc/passwd' })).toThrow(GridproxyError);
  });

  it('lists nodes in node_id order with the status gridproxy derives', async () => {
    const { items, warnings } = await gp.nodes({ size: 200 });
    expect(warnings).toEqual([]);
    expect(small(items)).toEqual([11, 12, 13, 14, 15, 16]);
    const status = Object.fromEntries(items.filter((n) => n.nodeId < 100).map((n) => [n.nodeId, n.status]));
    expect(status).toEqual({ 11: 'up', 12: 'up', 13: 'up', 14: 'down', 15: 'standby', 16: 'up' });
    const n11 = items.find((n) => n.nodeId === 11)!;
    expect(n11).toMatchObject({
      farmId: 1,
      twinId: 101,
      healthy: true,
      farmName: 'devfarm',
      publicConfig: { ipv4: '198.51.100.11/24', gw4: '198.51.100.1', ipv6: '2001:db8::11/64', domain: '' },
    });
    expect(n11.features).toContain('wireguard');
  });

  it('filters by status, ipv4, ipv6, features, farm, health, node and twin', async () => {
    const q = async (query: Parameters<Gridproxy['nodes']>[0]) =>
      small((await gp.nodes({ size: 200, ...query })).items);
    expect(await q({ status: 'up' })).toEqual([11, 12, 13, 16]);
    expect(await q({ status: ['down', 'standby'] })).toEqual([14, 15]);
    expect(await q({ ipv4: true })).toEqual([11, 13, 14]);
    expect(await q({ ipv4: false, ipv6: true })).toEqual([12]);
    expect(await q({ features: ['network', 'wireguard'], status: 'up' })).toEqual([11, 13, 16]);
    expect(await q({ features: ['network-light'], farmIds: [1] })).toEqual([12]);
    expect(await q({ farmIds: [2, 3] })).toEqual([13]);
    expect(await q({ healthy: false })).toEqual([16]);
    expect(await q({ nodeId: 14 })).toEqual([14]);
    expect(await q({ twinId: 105 })).toEqual([15]);
  });

  it('available_for: the twin’s rented node first, then nodes free for anyone', async () => {
    const mine = small((await gp.nodes({ availableFor: USER_TWIN, size: 200 })).items);
    // 13 is rented by the user (in a dedicated farm); 16 has an extra fee; the others are free.
    expect(mine).toEqual([13, 11, 12, 14, 15]);
    const other = small((await gp.nodes({ availableFor: 7, size: 200 })).items);
    expect(other).toEqual([11, 12, 14, 15]);
  });

  it('pages 50 by default and returns the count header when asked', async () => {
    const first = await gp.nodes({ retCount: true });
    expect(first.items).toHaveLength(50);
    expect(first.count).toBe(66);
    const second = await gp.nodes({ page: 2, retCount: true });
    expect(second.items).toHaveLength(16);
    expect(new Set([...ids(first.items), ...ids(second.items)]).size).toBe(66);
    const noCount = await gp.nodes({ size: 7, page: 3 });
    // Offset 14: the six small nodes, then 100.. in order.
    expect(ids(noCount.items)).toEqual([108, 109, 110, 111, 112, 113, 114]);
    expect(noCount.count).toBeNull();
    const sorted = await gp.nodes({ sortBy: 'twin_id', sortOrder: 'desc', size: 3 });
    expect(ids(sorted.items)).toEqual([159, 158, 157]);
  });

  it('gets one node, and null for an unknown one', async () => {
    expect(await gp.node(12)).toMatchObject({
      nodeId: 12,
      twinId: 102,
      publicConfig: { ipv4: '', ipv6: '2001:db8::12/64' },
    });
    expect(await gp.node(9999)).toBeNull();
  });

  it('lists contracts by twin, type and state, with the farm joined through the node', async () => {
    const live = await gp.contracts({
      twinId: USER_TWIN,
      type: 'node',
      state: ['Created', 'GracePeriod'],
      retCount: true,
    });
    expect(live.items.map((c) => c.contract_id)).toEqual([1, 2]);
    expect(live.count).toBe(2);
    expect(live.items[0]).toMatchObject({
      twin_id: USER_TWIN,
      state: 'Created',
      type: 'node',
      details: {
        nodeId: 11,
        deployment_hash: 'a'.repeat(32),
        number_of_public_ips: 0,
        farm_id: 1,
        farm_name: 'devfarm',
      },
    });
    expect(JSON.parse((live.items[0]!.details as { deployment_data: string }).deployment_data)).toMatchObject(
      { name: 'mynet' },
    );
    const all = await gp.contracts({ twinId: USER_TWIN });
    expect(all.items.map((c) => `${c.contract_id}:${c.type}`)).toEqual([
      '1:node',
      '2:node',
      '3:node',
      '4:rent',
      '5:name',
    ]);
    expect((await gp.contracts({ nodeId: 12 })).items.map((c) => c.contract_id)).toEqual([2, 6]);
    expect((await gp.contracts({ state: 'Deleted' })).items.map((c) => c.contract_id)).toEqual([3]);
  });

  it('finds twins by id and by account, and farms', async () => {
    const byId = await gp.twins({ twinId: USER_TWIN });
    expect(byId.items).toEqual([
      { twinId: USER_TWIN, accountId: ALICE, relay: 'relay.dev.grid.tf', publicKey: '02' + 'ab'.repeat(32) },
    ]);
    expect((await gp.twins({ accountId: ALICE })).items.map((t) => t.twinId)).toEqual([USER_TWIN]);
    expect((await gp.twins({ twinId: 999 })).items).toEqual([]);
    const farms = await gp.farms({ retCount: true });
    expect(farms.items.map((f) => [f.farmId, f.name, f.dedicated])).toEqual([
      [1, 'devfarm', false],
      [2, 'dedicated-farm', true],
      [3, 'bulk', false],
    ]);
    expect(farms.count).toBe(3);
    expect(farms.items[0]!.publicIps).toHaveLength(2);
  });

  it('refuses a bad query before sending it', async () => {
    await expect(gp.nodes({ twinId: -1 })).rejects.toMatchObject({ kind: 'bad-query' });
    await expect(gp.nodes({ features: ['teleport'] })).rejects.toMatchObject({ kind: 'bad-query' });
    await expect(gp.twins({ accountId: 'not an address' })).rejects.toMatchObject({ kind: 'bad-query' });
  });
});

// -----------------------------------------------------------------------------------------------------------

/** A scripted gridproxy: each test sets what it answers. */
let hostile: Server;
let hostileUrl: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end('[]');

beforeAll(async () => {
  hostile = createServer((req, res) => answer(req, res));
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hostile.closeAllConnections();
  await new Promise((r) => hostile.close(r));
});

const goodNode = (nodeId: number, twinId = 100 + nodeId) => ({
  nodeId,
  farmId: 1,
  twinId,
  status: 'up',
  healthy: true,
  publicConfig: { ipv4: '198.51.100.9/24', ipv6: '', gw4: '', gw6: '', domain: '' },
  features: ['network'],
});

function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return (_q: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

describe('gridproxy client against hostile replies', () => {
  const client = () => new Gridproxy({ url: hostileUrl, timeoutMs: 500, maxBytes: 64 << 10 });

  it('skips an element with wrong types, with a message, and keeps the others', async () => {
    answer = json([
      goodNode(1),
      { ...goodNode(2), nodeId: '2' },
      { ...goodNode(3), healthy: 'yes' },
      { ...goodNode(4), publicConfig: { ipv4: '198.51.100.4/24; rm -rf /' } },
      { ...goodNode(5), features: 'network' },
      { ...goodNode(6), status: 'exploded' },
      null,
      42,
      goodNode(7),
    ]);
    const { items, warnings } = await client().nodes();
    expect(ids(items)).toEqual([1, 7]);
    expect(warnings).toHaveLength(7);
    expect(warnings[0]).toMatch(/^\/nodes\[1\] skipped: nodeId is not a positive integer \("2"\)/);
    expect(warnings[1]).toMatch(/healthy is not a boolean/);
    expect(warnings[2]).toMatch(/publicConfig\.ipv4 is not an IPv4 address/);
    expect(warnings[3]).toMatch(/features is not a list/);
    expect(warnings[4]).toMatch(/status is not one of up\/down\/standby/);
    expect(warnings[5]).toMatch(/node is not an object/);
  });

  it('skips a node whose twinId does not match when asked by twin', async () => {
    answer = json([goodNode(1, 500), goodNode(2, 501)]);
    const { items, warnings } = await client().nodes({ twinId: 500 });
    expect(ids(items)).toEqual([1]);
    expect(warnings).toEqual(['/nodes[1] skipped (node 2): twinId 501 is not the 500 asked']);
  });

  it('skips contracts and twins that contradict the query', async () => {
    answer = json([
      {
        contract_id: 1,
        twin_id: 42,
        state: 'Created',
        created_at: 0,
        type: 'node',
        details: { nodeId: 1, deployment_data: '', deployment_hash: '' },
      },
      {
        contract_id: 2,
        twin_id: 43,
        state: 'Created',
        created_at: 0,
        type: 'node',
        details: { nodeId: 1, deployment_data: '', deployment_hash: '' },
      },
      {
        contract_id: 3,
        twin_id: 42,
        state: 'Deleted',
        created_at: 0,
        type: 'node',
        details: { nodeId: 1, deployment_data: '', deployment_hash: '' },
      },
      {
        contract_id: 4,
        twin_id: 42,
        state: 'Created',
        created_at: 0,
        type: 'node',
        details: { nodeId: 1, deployment_data: 7, deployment_hash: '' },
      },
    ]);
    const c = await client().contracts({ twinId: 42, state: ['Created'] });
    expect(c.items.map((x) => x.contract_id)).toEqual([1]);
    expect(c.warnings).toHaveLength(3);
    expect(c.warnings.join('\n')).toMatch(/twin_id 43 is not the 42 asked/);
    expect(c.warnings.join('\n')).toMatch(/state Deleted is not among those asked/);
    expect(c.warnings.join('\n')).toMatch(/deployment_data is not a string/);
    answer = json([{ twinId: 9, accountId: ALICE }]);
    const t = await client().twins({ twinId: 8 });
    expect(t.items).toEqual([]);
    expect(t.warnings).toEqual(['/twins[0] skipped (twin 9): twinId 9 is not the 8 asked']);
  });

  it('refuses a huge body, declared or streamed, naming the path', async () => {
    answer = json(JSON.stringify(Array.from({ length: 5000 }, (_, i) => goodNode(i + 1))));
    await expect(client().nodes({ status: 'up' })).rejects.toMatchObject({
      name: 'GridproxyError',
      kind: 'too-large',
      path: '/nodes?status=up',
      status: 200,
    });
    // Chunked, no content-length: the reader stops at the bound instead of buffering forever.
    answer = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const chunk = `${JSON.stringify(goodNode(1))},`.repeat(200);
      const timer = setInterval(() => {
        if (!res.write(chunk)) return;
      }, 1);
      res.on('close', () => clearInterval(timer));
    };
    const err = await client()
      .nodes()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GridproxyError);
    expect((err as GridproxyError).kind).toBe('too-large');
    expect((err as GridproxyError).message).toMatch(
      /^gridproxy GET \/nodes: HTTP 200: the reply is larger than/,
    );
  });

  it('names non-JSON, HTTP errors and non-list replies', async () => {
    answer = json('<html>502 Bad Gateway</html>', 200);
    await expect(client().farms()).rejects.toMatchObject({ kind: 'not-json', path: '/farms', status: 200 });
    answer = json({ error: 'failed to decode params: schema: invalid path "foo"' }, 400);
    const e = (await client()
      .contracts({ twinId: 1 })
      .catch((x: unknown) => x)) as GridproxyError;
    expect(e.kind).toBe('http');
    expect(e.status).toBe(400);
    expect(e.message).toBe(
      'gridproxy GET /contracts?twin_id=1: HTTP 400: failed to decode params: schema: invalid path "foo"',
    );
    answer = json('oops\u0007\nsecond line', 503);
    await expect(client().twins({ twinId: 1 })).rejects.toThrow(/HTTP 503: oops second line$/);
    answer = json({ nodes: [] });
    await expect(client().nodes()).rejects.toMatchObject({ kind: 'bad-reply' });
  });

  it('warns about a garbage count header and an over-long page', async () => {
    answer = json([goodNode(1), goodNode(2), goodNode(3)], 200, { count: 'lots' });
    const r = await client().nodes({ size: 2, retCount: true });
    expect(ids(r.items)).toEqual([1, 2]);
    expect(r.count).toBeNull();
    expect(r.warnings).toEqual([
      '/nodes: the reply has 3 elements for a page of 2; kept the first 2',
      '/nodes: the count header is not a number ("lots")',
    ]);
  });

  it('times out on silence, and refuses a node that is not the one asked', async () => {
    answer = () => {}; // never answers
    await expect(client().node(1)).rejects.toMatchObject({ kind: 'timeout', path: '/nodes/1' });
    answer = json(goodNode(2));
    await expect(client().node(1)).rejects.toThrow(
      'gridproxy GET /nodes/1: HTTP 200: the reply is node 2, not 1',
    );
    answer = json({ ...goodNode(1), twinId: -4 });
    await expect(client().node(1)).rejects.toMatchObject({ kind: 'bad-reply' });
  });

  it('reports a refused connection as a network error', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    await expect(new Gridproxy({ url: `http://127.0.0.1:${port}` }).nodes()).rejects.toMatchObject({
      kind: 'network',
      path: '/nodes',
    });
  });

  it('never crashes on any JSON list: it returns, or throws a GridproxyError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.jsonValue(), fc.constant(goodNode(3)))), async (body) => {
        answer = json(body);
        const r = await client().nodes({ size: 200 });
        expect(r.items.length + r.warnings.length).toBeGreaterThanOrEqual(Math.min(body.length, 200));
      }),
      { numRuns: 60 },
    );
  });
});
