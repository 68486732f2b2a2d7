/** The devnet explorer enforces tfexplorer's rules, with its error texts; its state survives a restart. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdentity, signHex, toHex } from '../../src/core/crypto/identity-keys.js';
import { addNode, createNetwork } from '../../src/core/overlay/planner.js';
import { buildReservation } from '../../src/core/overlay/reservation.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { pollWorkloads, postResult } from '../../src/devnet/node-api.js';
import { announce, fakeNode } from '../support/grid.js';

describe('devnet explorer rules', () => {
  let dir: string;
  let server: ExplorerServer;
  let url: string;
  let now = Math.floor(Date.now() / 1000);
  const user = newIdentity();
  const node = fakeNode('public', 1);
  let tid: number;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/explorer${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const start = async () => {
    server = new ExplorerServer({ dbPath: join(dir, 'explorer.db'), now: () => now, reapEveryMs: 60_000 });
    url = await server.listen(0);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-rules-'));
    await start();
    await announce(url, node);
    tid = (await post('/users', { name: 'dave', email: 'dave@example.org', pubkey: toHex(user.publicKey) })).body.id;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = async (durationS = 7200) => {
    const net = await addNode(createNetwork('r', '10.30.0.0/16'), node);
    return buildReservation(net, tid, user, durationS, now);
  };

  it('phonebook: lower-case names of 3+ characters, unique', async () => {
    expect(await post('/users', { name: 'Bob', email: '', pubkey: toHex(user.publicKey) })).toEqual({ status: 400, body: { error: 'name should be all lower case' } });
    expect(await post('/users', { name: 'bo', email: '', pubkey: toHex(user.publicKey) })).toEqual({ status: 400, body: { error: 'name should be at least 3 character' } });
    expect(await post('/users', { name: 'bob', email: 'Bob@x', pubkey: toHex(user.publicKey) })).toEqual({ status: 400, body: { error: 'email should be all lower case' } });
    expect((await post('/users', { name: 'dave', email: 'other@x', pubkey: toHex(user.publicKey) })).status).toBe(409);
  });

  it('accepts a correct reservation and answers its id', async () => {
    const r = await post('/reservations', await body());
    expect(r.status).toBe(201);
    expect(r.body.reservation_id).toBeGreaterThan(0);
  });

  it.each([
    ['json differs from data_reservation', (b: Record<string, unknown>) => ({ ...b, json: (b.json as string).replace('"r"', '"x"') }), 400, 'json data does not match the reservation data'],
    ['signature not hex', (b: Record<string, unknown>) => ({ ...b, customer_signature: 'zz' }), 400, 'expecting hex encoded string'],
    ['signature by another key', (b: Record<string, unknown>) => ({ ...b, customer_signature: signHex(newIdentity(), b.json as string) }), 401, 'failed to verify customer signature'],
    ['no customer', (b: Record<string, unknown>) => ({ ...b, customer_tid: 0 }), 400, 'customer_tid is required'],
    ['unknown customer', (b: Record<string, unknown>) => ({ ...b, customer_tid: 999 }), 404, 'customer not found'],
  ])('refuses: %s', async (_name, mutate, status, error) => {
    expect(await post('/reservations', mutate((await body()) as unknown as Record<string, unknown>))).toEqual({ status, body: { error } });
  });

  it('refuses reservations shorter than one hour, or already expired (signed correctly all the same)', async () => {
    const sign = (data: Record<string, unknown>) => {
      const json = JSON.stringify(data);
      return { json, data_reservation: data, customer_tid: tid, customer_signature: signHex(user, json) };
    };
    const b = await body();
    expect(await post('/reservations', sign({ ...b.data_reservation, expiration_reservation: now + 1800 }))).toEqual({ status: 400, body: { error: 'the minimum duration for a reservation is 1 hour' } });
    expect(await post('/reservations', sign({ ...b.data_reservation, expiration_reservation: now - 1 }))).toEqual({ status: 400, body: { error: 'reservation already expired' } });
  });

  it('moves a reservation to delete when provisioning does not finish in time', async () => {
    const { body: created } = await post('/reservations', await body());
    now += 11 * 60;
    server.reap();
    const r = await (await fetch(`${url}/explorer/reservations/${created.reservation_id}`)).json();
    // delete (4), and deleted (6) at once since no node has anything to tear down
    expect([4, 6]).toContain(r.next_action);
  });

  it('keeps everything across a restart (SQLite)', async () => {
    const { body: created } = await post('/reservations', await body());
    const [w] = (await pollWorkloads(url, node.identity)).filter((x) => x.reservation_id === created.reservation_id);
    await postResult(url, node.identity, w!.workload_id, { state: 1, message: '' });
    await server.close();
    await start();
    const r = await (await fetch(`${url}/explorer/reservations/${created.reservation_id}`)).json();
    expect(r.next_action).toBe(3);
    expect(r.results).toEqual([expect.objectContaining({ node_id: node.node_id, state: 1, workload_id: `${created.reservation_id}-1` })]);
    expect((await (await fetch(`${url}/explorer/users/${tid}`)).json()).name).toBe('dave');
    expect((await (await fetch(`${url}/explorer/nodes/${node.node_id}`)).json()).public_key_hex).toBe(node.public_key_hex);
  });

  it('refuses a result or a node record not signed by the node', async () => {
    const { body: created } = await post('/reservations', await body());
    const res = await fetch(`${url}/explorer/reservations/workloads/${created.reservation_id}-1/${node.node_id}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 1, message: '', signature: signHex(newIdentity(), 'x') }),
    });
    expect(res.status).toBe(401);
    const forged = await post('/nodes', { node_id: node.node_id, public_key_hex: node.public_key_hex, ifaces: [], public_config: null, signature: signHex(newIdentity(), 'x') });
    expect(forged).toEqual({ status: 401, body: { error: 'failed to verify node signature' } });
  });

  it('pages the node list with a Pages header', async () => {
    for (let i = 0; i < 4; i++) await announce(url, fakeNode('hidden', 20 + i));
    const res = await fetch(`${url}/explorer/nodes?size=2&page=1`);
    expect(res.headers.get('pages')).toBe('3');
    expect(await res.json()).toHaveLength(2);
  });
});
