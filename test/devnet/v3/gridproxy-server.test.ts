/**
 * The devnet's stand-in gridproxy, checked against the grid's own clients as oracles: @threefold/gridproxy_client
 * and grid_client's node queries (raw `/nodes?…` with its sort and feature parameters) pointed at the stand-in
 * list the same nodes, twins and contracts as our client does. Loading them opens no connection (every socket
 * the test process opens is recorded and must go to 127.0.0.1). Then gridproxy's strictness (unknown
 * parameters, Go booleans, sort fields), its headers, its derived fields, and the KYC read path.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGridproxy,
  type GridproxyServer,
  type SourceNode,
} from '../../../src/devnet/v3/gridproxy-server.js';
import { Gridproxy } from '../../../src/grid3/gridproxy.js';
import { ALICE, BOB, CHARLIE, DAVE, fixtureSource, NOW, USER_TWIN } from '../../grid3/gridproxy-fixture.js';

// Every outgoing socket of this worker, recorded before the grid's clients load (undici's fetch and axios both
// end in net.Socket.prototype.connect).
const connections: string[] = [];
const realConnect = net.Socket.prototype.connect;
beforeAll(() => {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const o = (typeof first === 'object' && first ? first : { port: first, host: args[1] }) as {
      host?: string;
      port?: unknown;
      path?: string;
    };
    connections.push(o.path ? `unix:${o.path}` : `${o.host ?? 'localhost'}:${String(o.port)}`);
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
});
afterAll(() => {
  net.Socket.prototype.connect = realConnect;
});

const require = createRequire(import.meta.url);

interface Pagination<T> {
  count: number | null;
  data: T[];
}
interface OracleClient {
  nodes: {
    list(q: object): Promise<Pagination<{ nodeId: number; twinId: number; status: string }>>;
    byId(id: number): Promise<{ nodeId: number; total_resources: { cru: number } }>;
  };
  twins: { list(q: object): Promise<Pagination<{ twinId: number; accountId: string }>> };
  contracts: {
    list(q: object): Promise<Pagination<{ contract_id: number; details: { farm_name?: string } }>>;
  };
  farms: { list(q: object): Promise<Pagination<{ farmId: number }>> };
}

let stand: GridproxyServer;
let clock = NOW;
let ours: Gridproxy;
let oracle: OracleClient;
let loadConnections: string[] = [];

beforeAll(async () => {
  stand = await startGridproxy({ source: fixtureSource(), now: () => clock });
  ours = new Gridproxy({ url: stand.url });
  const before = connections.length;
  // The CJS build: the ES6 build's extensionless imports do not load under Node's ESM resolver.
  const mod = require('@threefold/gridproxy_client') as { default: new (url: string) => OracleClient };
  oracle = new mod.default(stand.url);
  loadConnections = connections.slice(before);
});
afterAll(async () => {
  await stand.close();
});

const get = async (path: string) => {
  const res = await fetch(stand.url + path);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: safeJson(text) };
};
function safeJson(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

describe('the grid’s own clients against the stand-in', () => {
  it('listens on 127.0.0.1 only, and loading the oracle opened no connection', () => {
    expect(new URL(stand.url).hostname).toBe('127.0.0.1');
    expect(loadConnections).toEqual([]);
  });

  it('gridproxy_client lists the same nodes as our client, with the count', async () => {
    for (const q of [
      {},
      { status: 'up' },
      { ipv4: true },
      { availableFor: USER_TWIN },
      { farmIds: '1', healthy: true },
    ]) {
      const theirs = await oracle.nodes.list({ ...q, retCount: true });
      const mine = await ours.nodes({
        ...q,
        farmIds: 'farmIds' in q ? [1] : undefined,
        status: 'status' in q ? 'up' : undefined,
        retCount: true,
      } as Parameters<Gridproxy['nodes']>[0]);
      expect(theirs.data.map((n) => n.nodeId)).toEqual(mine.items.map((n) => n.nodeId));
      expect(theirs.count).toBe(mine.count);
    }
    const n = await oracle.nodes.byId(11);
    // byId lifts `capacity.total_resources` to the top: the stand-in nests it as gridproxy's /nodes/{id} does.
    expect(n.total_resources.cru).toBe(8);
  });

  it('gridproxy_client lists the same twins and contracts', async () => {
    const twins = await oracle.twins.list({ twinId: USER_TWIN });
    expect(twins.data).toEqual((await ours.twins({ twinId: USER_TWIN })).items);
    // Its validator takes accountId for a numeric id (assertId), so it cannot ask by account: we ask raw.
    await expect(oracle.twins.list({ accountId: ALICE })).rejects.toThrow(
      /Expected argument of type \[Number\]/,
    );
    const byAccount = await get(`/twins?account_id=${ALICE}`);
    expect((byAccount.body as { twinId: number }[]).map((t) => t.twinId)).toEqual([USER_TWIN]);

    const theirs = await oracle.contracts.list({
      twinId: USER_TWIN,
      state: ['Created', 'GracePeriod'],
      retCount: true,
    });
    const mine = await ours.contracts({
      twinId: USER_TWIN,
      state: ['Created', 'GracePeriod'],
      retCount: true,
    });
    expect(theirs.data.map((c) => c.contract_id)).toEqual([1, 2, 4, 5]);
    expect(theirs.data).toEqual(mine.items);
    expect(theirs.count).toBe(4);
    expect((await oracle.farms.list({ farmId: 2 })).data.map((f) => f.farmId)).toEqual([2]);
  });

  it('grid_client’s node queries run against it unchanged', async () => {
    const before = connections.length;
    const gc = require('@threefold/grid_client') as {
      Nodes: new (
        graphql: string,
        proxy: string,
        rmb: object,
      ) => {
        filterNodes(o: object, url?: string): Promise<{ nodeId: number }[]>;
        getNodesCount(o: object, url?: string): Promise<number>;
        getNode(id: number, url?: string): Promise<{ nodeId: number } | undefined>;
        getNodeFreeResources(id: number, src?: string, url?: string): Promise<{ cru: number; mru: number }>;
        getAccessNodes(availableFor: number): Promise<Record<number, { ipv4: string; ipv6: string }>>;
        nodeAvailableForTwinId(id: number, twin: number): Promise<boolean>;
      };
    };
    const nodes = new gc.Nodes(`${stand.url}/graphql`, stand.url, {});
    expect(connections.slice(before)).toEqual([]); // loading grid_client and making its Nodes connects nowhere
    // filterNodes: status=up, sort_by=free_cru&sort_order=desc, features=network%2Cwireguard (encoded comma).
    const wg = await nodes.filterNodes({ features: ['network'], wireguard: true, availableFor: USER_TWIN });
    expect(wg.map((n) => n.nodeId)).toEqual([13, 11]);
    expect(await nodes.getNodesCount({ features: ['network'], wireguard: true })).toBe(3);
    expect((await nodes.getNode(12))?.nodeId).toBe(12);
    expect(await nodes.getNodeFreeResources(11)).toMatchObject({ cru: 8, mru: 12 << 30 });
    // getAccessNodes drops nodes whose IPv4 the `private-ip` package calls private, and it calls the
    // documentation ranges (198.51.100.0/24…) private: with them there is no access node at all.
    await expect(nodes.getAccessNodes(USER_TWIN)).rejects.toThrow(
      "Couldn't find any node with public config.",
    );
    const base = fixtureSource();
    const publicish = await startGridproxy({
      now: () => clock,
      source: {
        ...base,
        // An address outside the reserved ranges (only data: nothing connects to it).
        nodes: () =>
          (base.nodes() as SourceNode[]).map((n) =>
            n.nodeId === 11 ? { ...n, publicConfig: { ...n.publicConfig, ipv4: '185.69.166.7/24' } } : n,
          ),
      },
    });
    try {
      const access = await new gc.Nodes(`${publicish.url}/graphql`, publicish.url, {}).getAccessNodes(
        USER_TWIN,
      );
      expect(access).toEqual({ 11: { ipv4: '185.69.166.7/24', ipv6: '2001:db8::11/64', domain: '' } });
    } finally {
      await publicish.close();
    }
    expect(await nodes.nodeAvailableForTwinId(13, USER_TWIN)).toBe(true);
    expect(await nodes.nodeAvailableForTwinId(13, 7)).toBe(false);
  });
});

describe('gridproxy’s query rules and replies', () => {
  it('refuses unknown parameters, bad booleans, features and sort fields with {"error"}', async () => {
    const farmId = await get('/nodes?farm_id=1');
    expect(farmId.status).toBe(400);
    expect(farmId.body).toEqual({ error: 'failed to decode params: schema: invalid path "farm_id"' });
    expect((await get('/nodes?ipv4=yes')).body).toEqual({
      error: 'failed to decode params: schema: error converting value for "ipv4"',
    });
    expect((await get('/nodes?features=teleport')).body).toEqual({
      error: 'teleport is not a valid node feature',
    });
    expect((await get('/nodes?sort_by=colour')).body).toEqual({
      error: '"colour" is not a sort field for Node type',
    });
    expect((await get('/twins?sort_order=sideways')).body).toEqual({
      error: '"sideways" is not a valid sort order',
    });
    expect((await get('/contracts?twin_id=-3')).status).toBe(400);
  });

  it('reads Go booleans, comma or repeated lists, and ignores empty values', async () => {
    const nodeIds = (b: unknown) => (b as { nodeId: number }[]).map((n) => n.nodeId);
    expect(nodeIds((await get('/nodes?ipv4=T&ipv6=0')).body)).toEqual([13, 14]);
    expect(nodeIds((await get('/nodes?farm_ids=2&farm_ids=1&status=down,standby')).body)).toEqual([14, 15]);
    expect(nodeIds((await get('/nodes?features=&free_mru=&twin_id=103')).body)).toEqual([13]);
    const states = (await get('/contracts?state=created&type=node')).body as { contract_id: number }[];
    expect(states.map((c) => c.contract_id)).toEqual([1, 6]); // gridproxy lowers the states it compares
  });

  it('writes count, size and pages headers with ret_count, and exposes them', async () => {
    const r = await get('/nodes?size=4&page=2&ret_count=true');
    expect(r.headers.get('count')).toBe('6');
    expect(r.headers.get('size')).toBe('4');
    expect(r.headers.get('pages')).toBe('2');
    expect(r.headers.get('access-control-expose-headers')).toBe('*');
    expect((r.body as { nodeId: number }[]).map((n) => n.nodeId)).toEqual([15, 16]);
    expect((await get('/nodes')).headers.get('count')).toBeNull();
  });

  it('derives status from the last report and power, as the clock moves', async () => {
    const statusOf = async (id: number) => ((await get(`/nodes/${id}`)).body as { status: string }).status;
    expect(await statusOf(11)).toBe('up');
    clock = NOW + 81 * 60; // 80 minutes without a report: down
    try {
      expect(await statusOf(11)).toBe('down');
      expect(await statusOf(15)).toBe('standby');
      clock = NOW + 24 * 3600;
      expect(await statusOf(15)).toBe('down');
      expect((await get('/nodes/11/status')).body).toEqual({ status: 'down' });
    } finally {
      clock = NOW;
    }
  });

  it('answers one node with nested capacity and derived rental fields, or 404', async () => {
    const n13 = (await get('/nodes/13')).body as Record<string, unknown>;
    expect(n13).toMatchObject({
      nodeId: 13,
      farmName: 'dedicated-farm',
      inDedicatedFarm: true,
      dedicated: true,
      rented: true,
      rentable: false,
      rentedByTwinId: USER_TWIN,
      capacity: { total_resources: { cru: 16 } },
      features: expect.arrayContaining(['network']),
    });
    expect(n13.total_resources).toBeUndefined();
    const n11 = (await get('/nodes/11')).body as Record<string, unknown>;
    expect(n11).toMatchObject({ dedicated: false, rentable: false, farm_free_ips: 1 }); // it has a live contract
    expect((await get('/nodes/14')).body).toMatchObject({ dedicated: true, rentable: true }); // nothing runs on it
    expect(await get('/nodes/999')).toMatchObject({ status: 404, body: { error: 'node not found' } });
    expect(await get('/nowhere')).toMatchObject({ status: 404, text: '404 page not found\n' });
  });

  it('answers contracts by node and id, with farm details and each type’s own details', async () => {
    const onNode = (await get('/contracts?node_id=11')).body as { contract_id: number }[];
    expect(onNode.map((c) => c.contract_id)).toEqual([1, 3]);
    expect((await get('/contracts/4')).body).toEqual({
      contract_id: 4,
      twin_id: USER_TWIN,
      state: 'Created',
      created_at: NOW - 700,
      type: 'rent',
      details: { nodeId: 13, farm_name: 'dedicated-farm', farm_id: 2 },
    });
    expect(((await get('/contracts/5')).body as { details: unknown }).details).toEqual({ name: 'alicegw' });
    expect((await get('/contracts/77')).status).toBe(404);
  });

  it('answers KYC status as tf-kyc-verifier does', async () => {
    expect((await get(`/api/v1/status?client_id=${ALICE}`)).body).toEqual({
      result: { final: true, idenfyRef: '', clientId: ALICE, status: 'VERIFIED' },
    });
    expect((await get(`/api/v1/status?client_id=${BOB}`)).body).toMatchObject({
      result: { final: false, status: 'REJECTED' },
    });
    expect((await get(`/api/v1/status?client_id=${CHARLIE}`)).body).toMatchObject({
      result: { final: true, status: 'REJECTED' },
    });
    expect(await get(`/api/v1/status?client_id=${DAVE}`)).toMatchObject({
      status: 404,
      body: { error: 'verification not found' },
    });
    expect((await get(`/api/v1/status?twin_id=${USER_TWIN}`)).body).toMatchObject({
      result: { clientId: ALICE },
    });
    expect(await get('/api/v1/status')).toMatchObject({
      status: 400,
      body: { error: 'either client_id or twin_id must be provided' },
    });
  });
});

describe('traffic', () => {
  it('every connection this file opened went to 127.0.0.1', () => {
    expect(connections.length).toBeGreaterThan(0);
    for (const c of connections) expect(c).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
