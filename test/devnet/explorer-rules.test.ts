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
import { signResult } from '../../src/core/overlay/result-signature.js';
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
    const res = await fetch(`${url}/explorer${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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
    tid = (await post('/users', { name: 'dave', email: 'dave@example.org', pubkey: toHex(user.publicKey) }))
      .body.id;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pay = async (id: number, json: string) => {
    const r = await post(`/reservations/${id}/pay`, {
      tid,
      signature: signHex(user, `${id}${json}`),
      epoch: now,
    });
    expect(r, 'pay').toEqual({ status: 201, body: {} });
  };
  const body = async (durationS = 7200) => {
    const net = await addNode(createNetwork('r', '10.30.0.0/16'), node);
    return buildReservation(net, tid, user, durationS, now);
  };

  it('phonebook: lower-case names of 3+ characters (pkg/phonebook/types/user.go User.Validate), lower-case email, unique', async () => {
    expect(await post('/users', { name: 'Bob', email: '', pubkey: toHex(user.publicKey) })).toEqual({
      status: 400,
      body: { error: 'name should be all lower case' },
    });
    expect(await post('/users', { name: 'bo', email: '', pubkey: toHex(user.publicKey) })).toEqual({
      status: 400,
      body: { error: 'name should be at least 3 character' },
    });
    expect(await post('/users', { name: 'bob', email: 'Bob@x', pubkey: toHex(user.publicKey) })).toEqual({
      status: 400,
      body: { error: 'email should be all lower case' },
    });
    expect(
      (await post('/users', { name: 'dave', email: 'other@x', pubkey: toHex(user.publicKey) })).status,
    ).toBe(409);
  });

  it('accepts a correct reservation and answers its id', async () => {
    const r = await post('/reservations', await body());
    expect(r.status).toBe(201);
    expect(r.body.reservation_id).toBeGreaterThan(0);
  });

  it.each([
    [
      'json differs from data_reservation (pkg/workloads/types/reservation.go Reservation.Validate)',
      (b: Record<string, unknown>) => ({ ...b, json: (b.json as string).replace('"r"', '"x"') }),
      400,
      'json data does not match the reservation data',
    ],
    [
      'signature not hex (pkg/workloads/reservation.go create)',
      (b: Record<string, unknown>) => ({ ...b, customer_signature: 'zz' }),
      400,
      'invalid signature format, expecting hex encoded string',
    ],
    [
      'signature by another key (pkg/workloads/reservation.go create)',
      (b: Record<string, unknown>) => ({
        ...b,
        customer_signature: signHex(newIdentity(), b.json as string),
      }),
      400,
      'failed to verify customer signature',
    ],
    [
      'no customer (pkg/workloads/types/reservation.go Reservation.Validate)',
      (b: Record<string, unknown>) => ({ ...b, customer_tid: 0 }),
      400,
      'customer_tid is required',
    ],
    [
      'unknown customer (pkg/workloads/reservation.go create)',
      (b: Record<string, unknown>) => ({ ...b, customer_tid: 999 }),
      400,
      "cannot find user with id '999'",
    ],
  ])('refuses: %s', async (_name, mutate, status, error) => {
    expect(await post('/reservations', mutate((await body()) as unknown as Record<string, unknown>))).toEqual(
      { status, body: { error } },
    );
  });

  it('refuses reservations shorter than one hour (overlay-network.md) or expiring in the past (pkg/workloads/reservation.go create), signed correctly all the same', async () => {
    const sign = (data: Record<string, unknown>) => {
      const json = JSON.stringify(data);
      return { json, data_reservation: data, customer_tid: tid, customer_signature: signHex(user, json) };
    };
    const b = await body();
    expect(
      await post('/reservations', sign({ ...b.data_reservation, expiration_reservation: now + 1800 })),
    ).toEqual({ status: 400, body: { error: 'the minimum duration for a reservation is 1 hour' } });
    expect(
      await post('/reservations', sign({ ...b.data_reservation, expiration_reservation: now - 1 })),
    ).toEqual({ status: 400, body: { error: 'creating for a reservation that expires in the past' } });
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
    const b = await body();
    const { body: created } = await post('/reservations', b);
    await pay(created.reservation_id, b.json);
    const [w] = (await pollWorkloads(url, node.identity)).filter(
      (x) => x.reservation_id === created.reservation_id,
    );
    await postResult(url, node.identity, w!.workload_id, { state: 1, message: '' });
    await server.close();
    await start();
    const r = await (await fetch(`${url}/explorer/reservations/${created.reservation_id}`)).json();
    expect(r.next_action).toBe(3);
    expect(r.results).toEqual([
      expect.objectContaining({
        node_id: node.node_id,
        state: 1,
        workload_id: `${created.reservation_id}-1`,
      }),
    ]);
    expect((await (await fetch(`${url}/explorer/users/${tid}`)).json()).name).toBe('dave');
    expect((await (await fetch(`${url}/explorer/nodes/${node.node_id}`)).json()).public_key_hex).toBe(
      node.public_key_hex,
    );
  });

  it("refuses a result not signed by the node over Result.encode's bytes, and a node record not signed by it", async () => {
    // tfexplorer pkg/workloads/reservation.go workloadPutResult: "invalid result signature" (401); the bytes
    // are pkg/workloads/types/reservation.go Result.encode: state byte, message, data_json.
    const b = await body();
    const { body: created } = await post('/reservations', b);
    await pay(created.reservation_id, b.json);
    const put = (payload: unknown, nodeId = node.node_id) =>
      fetch(`${url}/explorer/reservations/workloads/${created.reservation_id}-1/${nodeId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
    const other = newIdentity();
    const res = await put({
      state: 1,
      message: '',
      signature: signResult(other.secretKey, { state: 1, message: '' }),
    });
    expect([res.status, await res.json()]).toEqual([401, { error: 'invalid result signature' }]);
    // The old devnet bytes (workload id, node id, state, message) are not what tfexplorer verifies.
    const legacy = await put({
      state: 1,
      message: '',
      signature: signHex(node.identity, `${created.reservation_id}-1${node.node_id}1`),
    });
    expect(legacy.status).toBe(401);
    const good = await put({
      state: 1,
      message: '',
      signature: signResult(node.identity.secretKey, { state: 1, message: '' }),
    });
    expect(good.status).toBe(200);
    // A node may only answer a workload it was given (workloadPutResult: "workload not found", 404).
    const stranger = fakeNode('public', 9);
    await announce(url, stranger);
    const res2 = await put(
      {
        state: 1,
        message: '',
        signature: signResult(stranger.identity.secretKey, { state: 1, message: '' }),
      },
      stranger.node_id,
    );
    expect([res2.status, await res2.json()]).toEqual([404, { error: 'workload not found' }]);
    const forged = await post('/nodes', {
      node_id: node.node_id,
      public_key_hex: node.public_key_hex,
      ifaces: [],
      public_config: null,
      signature: signHex(newIdentity(), 'x'),
    });
    expect(forged).toEqual({ status: 401, body: { error: 'failed to verify node signature' } });
  });

  describe("tfexplorer's pipeline and signing rules", () => {
    const view = async (id: number) =>
      (await (await fetch(`${url}/explorer/reservations/${id}`)).json()) as { next_action: number };
    const signed = async (mutate: (d: Record<string, unknown>) => void) => {
      const b = await body();
      const data = { ...b.data_reservation } as unknown as Record<string, unknown>;
      mutate(data);
      const json = JSON.stringify(data);
      return { json, data_reservation: data, customer_tid: tid, customer_signature: signHex(user, json) };
    };
    const sign = (id: number, kind: 'provision' | 'delete', who: number, signature: string) =>
      post(`/reservations/${id}/sign/${kind}`, { tid: who, signature, epoch: now });

    it('Pipeline.Next (pkg/workloads/types/pipeline.go): create → sign → pay with no provision quorum; deploy only once paid', async () => {
      const b = await body();
      const { body: created } = await post('/reservations', b);
      expect((await view(created.reservation_id)).next_action).toBe(2); // pay
      expect(
        (await pollWorkloads(url, node.identity)).some((w) => w.reservation_id === created.reservation_id),
      ).toBe(false);
      expect(
        await post(`/reservations/${created.reservation_id}/pay`, {
          tid,
          signature: signHex(newIdentity(), `${created.reservation_id}${b.json}`),
        }),
      ).toEqual({ status: 401, body: { error: 'failed to verify signature' } });
      await pay(created.reservation_id, b.json);
      expect((await view(created.reservation_id)).next_action).toBe(3); // deploy
      expect(
        (await pollWorkloads(url, node.identity)).some((w) => w.reservation_id === created.reservation_id),
      ).toBe(true);
      expect(
        (
          await post(`/reservations/${created.reservation_id}/pay`, {
            tid,
            signature: signHex(user, `${created.reservation_id}${b.json}`),
          })
        ).status,
      ).toBe(400);
    });

    it('signProvision + userCanSign (pkg/workloads/reservation.go): listed signers only, each once, over str(id)+json', async () => {
      const b = await signed((d) => (d.signing_request_provision = { signers: [tid], quorum_min: 1 }));
      const { body: created } = await post('/reservations', b);
      const id = created.reservation_id as number;
      expect((await view(id)).next_action).toBe(1); // sign: waits for the quorum
      expect(await sign(id, 'provision', tid + 1000, signHex(user, `${id}${b.json}`))).toEqual({
        status: 401,
        body: { error: `signature not required for user '${tid + 1000}'` },
      });
      expect(await sign(id, 'provision', tid, signHex(user, b.json))).toEqual({
        status: 401,
        body: { error: 'failed to verify signature' },
      });
      expect(await sign(id, 'provision', tid, 'zz')).toEqual({
        status: 400,
        body: { error: 'invalid signature expecting hex encoded string' },
      });
      expect((await sign(id, 'provision', tid, signHex(user, `${id}${b.json}`))).status).toBe(201);
      expect((await view(id)).next_action).toBe(2); // pay
      expect(await sign(id, 'provision', tid, signHex(user, `${id}${b.json}`))).toEqual({
        status: 401,
        body: { error: 'reservation not expecting signatures' },
      });
    });

    it('signDelete + checkDeleteSignatures: a quorum of 0 can never delete; the listed customer deletes once', async () => {
      const zero = await signed((d) => (d.signing_request_delete = { signers: [], quorum_min: 0 }));
      const { body: z } = await post('/reservations', zero);
      expect(
        await sign(z.reservation_id, 'delete', tid, signHex(user, `${z.reservation_id}${zero.json}`)),
      ).toEqual({ status: 401, body: { error: `signature not required for user '${tid}'` } });
      expect((await view(z.reservation_id)).next_action).toBe(2);

      const b = await body(); // what the client builds: signers [tid], quorum 1
      expect(b.data_reservation.signing_request_delete).toEqual({ signers: [tid], quorum_min: 1 });
      const { body: created } = await post('/reservations', b);
      const id = created.reservation_id as number;
      await pay(id, b.json);
      expect(await sign(id, 'delete', tid, signHex(newIdentity(), `${id}${b.json}`))).toEqual({
        status: 401,
        body: { error: 'failed to verify signature' },
      });
      expect((await sign(id, 'delete', tid, signHex(user, `${id}${b.json}`))).status).toBe(201);
      expect([4, 6]).toContain((await view(id)).next_action);
      expect(await sign(id, 'delete', tid, signHex(user, `${id}${b.json}`))).toEqual({
        status: 400,
        body: { error: `user ${tid} has already signed the reservation for deletion` },
      });
    });

    it('Pipeline.Next: a reservation paid after its provisioning deadline is never deployed', async () => {
      const b = await body();
      const { body: created } = await post('/reservations', b);
      now += 11 * 60;
      const late = await post(`/reservations/${created.reservation_id}/pay`, {
        tid,
        signature: signHex(user, `${created.reservation_id}${b.json}`),
      });
      expect(late.status).toBe(400);
      expect([4, 6]).toContain((await view(created.reservation_id)).next_action);
      expect(
        (await pollWorkloads(url, node.identity)).some(
          (w) => w.reservation_id === created.reservation_id && !w.to_delete,
        ),
      ).toBe(false);
    });
  });

  it('pages the node list with a Pages header', async () => {
    for (let i = 0; i < 4; i++) await announce(url, fakeNode('hidden', 20 + i));
    const res = await fetch(`${url}/explorer/nodes?size=2&page=1`);
    expect(res.headers.get('pages')).toBe('3');
    expect(await res.json()).toHaveLength(2);
  });
});
