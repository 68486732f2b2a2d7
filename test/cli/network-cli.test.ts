/**
 * The seed's workflow through the CLI against an explorer started by the test (the devnet's, which speaks
 * tfexplorer's API and enforces its rules). Nodes here are made up; their results are posted as nodes
 * would post them. Real WireGuard across these networks is the devnet's end-to-end test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nacl from 'tweetnacl';
import { verifyHex } from '../../src/core/crypto/identity-keys.js';
import { loadSodium } from '../../src/core/crypto/sodium.js';
import { openSealed } from '../../src/core/crypto/sealed-box.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { pollWorkloads, postResult } from '../../src/devnet/node-api.js';
import { publicKeyOf } from '../../src/core/wgconf/keys.js';
import { cliAsync as run } from '../support/cli.js';
import { announce, fakeNode, type FakeNode } from '../support/grid.js';
import { useTempDir } from '../support/tmp.js';
import { freePort } from '../support/ports.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe('networks through the CLI against an explorer', () => {
  let explorer: ExplorerServer;
  let url: string;
  let dbDir: string;
  const nodes: FakeNode[] = [
    fakeNode('public', 1, 'public_config'),
    fakeNode('public', 2),
    fakeNode('ipv6-only', 3),
    fakeNode('hidden', 4),
  ];
  const tmp = useTempDir();

  beforeAll(async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'oc-explorer-'));
    explorer = new ExplorerServer({ dbPath: join(dbDir, 'explorer.db') });
    url = await explorer.listen(0);
    for (const n of nodes) await announce(url, n, n.kind === 'hidden' ? 2 : 1);
  });
  afterAll(async () => {
    await explorer?.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => run([...args, '--data-dir', join(tmp.path, 'data'), '--explorer', url]);
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('identity, node search, create, add nodes and access, register, status, delete', async () => {
    const id = await json('identity', 'create', '--name', 'alice', '--email', 'alice@example.org');
    expect(id).toMatchObject({ name: 'alice', email: 'alice@example.org', tid: expect.any(Number) });
    expect((await cli('identity', 'show')).stdout).toContain(id.publicKey);

    const found = await json('nodes', 'search');
    expect(found).toHaveLength(4);
    expect(found[0]).toMatchObject({
      node_id: nodes[0]!.node_id,
      farm_id: 1,
      public_key_hex: nodes[0]!.public_key_hex,
      wg_ports: [2001],
      endpoint_kind: 'public',
    });
    expect(found.map((n: { endpoint_kind: string }) => n.endpoint_kind)).toEqual([
      'public',
      'public',
      'ipv6-only',
      'hidden',
    ]);
    expect((await json('nodes', 'search', '--ipv4')).map((n: { node_id: string }) => n.node_id)).toEqual([
      nodes[0]!.node_id,
      nodes[1]!.node_id,
    ]);
    expect(await json('nodes', 'search', '--ipv6')).toHaveLength(3);
    expect((await json('nodes', 'search', '--farm', '2')).map((n: { node_id: string }) => n.node_id)).toEqual(
      [nodes[3]!.node_id],
    );
    expect(await json('nodes', 'search', '--up')).toHaveLength(4);

    expect((await cli('network', 'create', 'lab', '--subnet', '10.5.0.0/24')).stderr).toMatch(
      /must be a \/16/,
    );
    expect((await cli('network', 'create', 'lab', '--subnet', '10.5.0.0/16')).code).toBe(0);
    for (const n of nodes) expect((await cli('network', 'add-node', 'lab', n.node_id)).code).toBe(0);
    expect((await cli('network', 'add-node', 'lab', nodes[0]!.node_id)).stderr).toMatch(
      /already part of network lab/,
    );
    expect((await cli('network', 'add-access', 'lab', nodes[2]!.node_id, '--ipv4')).stderr).toMatch(
      /no public IPv4 address \(it is ipv6-only\)/,
    );
    const access = await json('network', 'add-access', 'lab', nodes[0]!.node_id, '--ipv4');
    expect(access).toMatchObject({ tunnel: 'lab', family: 4, subnet: '10.5.5.0/24' });

    const shown = await json('network', 'show', 'lab');
    expect(
      shown.nodes.map((n: { subnet: string; endpointKind: string }) => [n.subnet, n.endpointKind]),
    ).toEqual([
      ['10.5.1.0/24', 'public'],
      ['10.5.2.0/24', 'public'],
      ['10.5.3.0/24', 'ipv6-only'],
      ['10.5.4.0/24', 'hidden'],
    ]);
    expect(
      shown.nodes[3].peers.every((p: { endpoint: string }) => p.endpoint.startsWith('198.51.100.')),
    ).toBe(true);
    expect(shown.nodes[0].peers.at(-1)).toMatchObject({
      iprange: '10.5.5.0/24',
      endpoint: '',
      allowed_iprange: ['10.5.5.0/24', '100.64.5.5/32'],
    });
    expect(Object.keys(shown.nodes[0].peers[0]).sort()).toEqual([
      'allowed_iprange',
      'endpoint',
      'iprange',
      'public_key',
    ]);

    // The access is a tunnel: listed, exportable again, with the key made here.
    const tunnels = await json('tunnel', 'list');
    expect(tunnels.map((t: { name: string }) => t.name)).toEqual(['lab']);
    const conf = (await cli('tunnel', 'export', 'lab')).stdout;
    expect(conf).toMatch(/Address = 100\.64\.5\.5\/32/);
    expect(conf).toMatch(/AllowedIPs = 10\.5\.0\.0\/16, 100\.64\.5\.0\/24/);
    expect(conf).toMatch(new RegExp(`Endpoint = 198\\.51\\.100\\.11:${shown.nodes[0].port}`));
    const laptopKey = /PrivateKey = (\S+)/.exec(conf)![1]!;
    expect(publicKeyOf(laptopKey)).toBe(shown.accesses[0].publicKey);
    expect(readFileSync(join(tmp.path, 'data', 'state.json'), 'utf8')).not.toContain(laptopKey);

    expect((await cli('network', 'register', 'lab', '--expires', '30m')).stderr).toMatch(/at least 1 hour/);
    const reg = await json('network', 'register', 'lab', '--expires', '30d');
    expect(reg.reservationId).toBeGreaterThan(0);

    // What the explorer holds: json is data_reservation, signed by alice, NR keys sealed to each node.
    const res = await (await fetch(`${url}/explorer/reservations/${reg.reservationId}`)).json();
    expect(JSON.parse(res.json)).toEqual(res.data_reservation);
    expect(verifyHex(id.publicKey, res.json, res.customer_signature)).toBe(true);
    const sodium = await loadSodium();
    for (const nr of res.data_reservation.networks[0].network_resources) {
      const node = nodes.find((n) => n.node_id === nr.node_id)!;
      const opened = new TextDecoder().decode(
        openSealed(
          sodium,
          Buffer.from(nr.wireguard_private_key_encrypted, 'hex'),
          sodium.crypto_sign_ed25519_pk_to_curve25519(node.identity.publicKey),
          sodium.crypto_sign_ed25519_sk_to_curve25519(node.identity.secretKey),
        ),
      );
      expect(publicKeyOf(opened)).toBe(nr.wireguard_public_key);
    }
    expect(res.data_reservation.expiration_reservation - Math.floor(Date.now() / 1000)).toBeGreaterThan(
      29 * 86400,
    );

    const status = await json('network', 'status', 'lab');
    expect(status).toMatchObject({
      reservationId: reg.reservationId,
      nextAction: 3,
      nextActionName: 'deploy',
    });
    expect(status.nodes.every((n: { state: string }) => n.state === 'pending')).toBe(true);
    expect((await cli('network', 'status', 'lab', '--wait', '1')).stderr).toMatch(
      /Timed out after 1 s; still waiting for/,
    );

    // The nodes report: three ok, then the status waits for the fourth.
    for (const n of nodes.slice(0, 3)) {
      const [w] = await pollWorkloads(url, n.identity);
      await postResult(url, n.identity, w!.workload_id, { state: 1, message: '' });
    }
    const [w4] = await pollWorkloads(url, nodes[3]!.identity);
    setTimeout(
      () => void postResult(url, nodes[3]!.identity, w4!.workload_id, { state: 1, message: '' }),
      1500,
    );
    const waited = await cli('network', 'status', 'lab', '--wait', '20', '--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).nodes.map((n: { state: string }) => n.state)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);

    expect(await json('network', 'list')).toEqual([
      { name: 'lab', ipRange: '10.5.0.0/16', nodes: 4, accesses: 1, reservation: reg.reservationId },
    ]);

    // Registered again: the new reservation runs beside the old one until every node reported ok for it;
    // only then is the old one deleted. Before that, both show.
    const nextAction = async (id: number) =>
      (await (await fetch(`${url}/explorer/reservations/${id}`)).json()).next_action as number;
    const again = await json('network', 'register', 'lab', '--expires', '30d');
    expect(again).toMatchObject({ replaces: reg.reservationId });
    const both = await json('network', 'status', 'lab');
    expect(both).toMatchObject({
      reservationId: again.reservationId,
      nextActionName: 'deploy',
      previous: { reservationId: reg.reservationId, nextActionName: 'deploy' },
    });
    for (const n of nodes.slice(0, 3)) {
      const w = (await pollWorkloads(url, n.identity)).find((x) => x.reservation_id === again.reservationId)!;
      await postResult(url, n.identity, w.workload_id, { state: 1, message: '' });
    }
    expect((await json('network', 'status', 'lab')).previous.reservationId).toBe(reg.reservationId);
    expect(await nextAction(reg.reservationId)).toBe(3); // still in force: one node has not reported
    const w4b = (await pollWorkloads(url, nodes[3]!.identity)).find(
      (x) => x.reservation_id === again.reservationId,
    )!;
    await postResult(url, nodes[3]!.identity, w4b.workload_id, { state: 1, message: '' });
    const settled = await cli('network', 'status', 'lab', '--json');
    expect(settled.stderr).toContain(
      `Reservation ${again.reservationId} is in force; the previous reservation ${reg.reservationId} was deleted`,
    );
    expect(JSON.parse(settled.stdout).previous).toBeUndefined();
    expect([4, 6]).toContain(await nextAction(reg.reservationId));

    // A new registration that fails is deleted, and the one in force keeps running.
    const third = await json('network', 'register', 'lab', '--expires', '30d');
    const w1c = (await pollWorkloads(url, nodes[0]!.identity)).find(
      (x) => x.reservation_id === third.reservationId,
    )!;
    await postResult(url, nodes[0]!.identity, w1c.workload_id, {
      state: 0,
      message: 'no space left on device',
    });
    const failedAgain = await cli('network', 'status', 'lab', '--wait', '5');
    expect(failedAgain.code).toBe(1);
    expect(failedAgain.stderr).toContain(
      `Reservation ${third.reservationId} failed and was deleted; reservation ${again.reservationId} keeps running`,
    );
    expect(failedAgain.stderr).toContain('no space left on device');
    expect(await nextAction(again.reservationId)).toBe(3);
    expect([4, 6]).toContain(await nextAction(third.reservationId));
    expect((await json('network', 'status', 'lab')).reservationId).toBe(again.reservationId);

    expect((await cli('network', 'delete', 'lab')).code).toBe(0);
    const after = await (await fetch(`${url}/explorer/reservations/${again.reservationId}`)).json();
    expect(after.next_action).toBe(4);
    expect(await json('network', 'list')).toEqual([]);
    expect(await json('tunnel', 'list')).toEqual([]);
  });

  it('says which node failed and why, with a non-zero exit', async () => {
    const n = fakeNode('public', 7);
    await announce(url, n);
    await json('identity', 'create', '--name', 'bobby');
    await cli('network', 'create', 'one', '--subnet', '10.6.0.0/16');
    await cli('network', 'add-node', 'one', n.node_id);
    const reg = await json('network', 'register', 'one');
    const [w] = await pollWorkloads(url, n.identity);
    expect(w!.workload_id).toBe(`${reg.reservationId}-1`);
    await postResult(url, n.identity, w!.workload_id, {
      state: 0,
      message: 'wireguard listen port already in use, pick another one',
    });
    const r = await cli('network', 'status', 'one', '--wait', '10');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1) + '\n').toBe(
      `overlay-connect: Node ${n.node_id} could not provision the network: wireguard listen port already in use, pick another one\n`,
    );
  });

  it("passes the explorer's own errors through verbatim and loses nothing", async () => {
    const bad = await cli('identity', 'create', '--name', 'Alice');
    expect(bad.stderr).toMatch(
      /warning: not registered in the phonebook of .*: The explorer refused POST \/users \(HTTP 400\): name should be all lower case/,
    );
    const closed = await freePort();
    const unreachable = await run([
      'nodes',
      'search',
      '--data-dir',
      join(tmp.path, 'data'),
      '--explorer',
      `http://127.0.0.1:${closed}`,
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(
      `overlay-connect: Cannot reach the explorer at http://127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    );
    await cli('network', 'create', 'keep', '--subnet', '10.8.0.0/16');
    const before = readFileSync(join(tmp.path, 'data', 'state.json'), 'utf8');
    const missing = await cli('network', 'add-node', 'keep', '11111111111111111111111111111111');
    expect(missing.stderr).toMatch(/HTTP 404\): node not found/);
    const reg = await cli('network', 'register', 'keep');
    expect(reg.code).toBe(1);
    expect(readFileSync(join(tmp.path, 'data', 'state.json'), 'utf8')).toBe(before);
  });

  it('keeps the seed secret and signs with the imported identity', async () => {
    const seed = Buffer.from(nacl.randomBytes(32)).toString('hex');
    // Never from argv (ps and shell history): a file or standard input.
    expect((await cli('identity', 'import', seed)).code).toBe(2);
    writeFileSync(join(tmp.path, 'seed.hex'), `${seed}\n`, { mode: 0o600 });
    const r = await json('identity', 'import', '--seed-file', join(tmp.path, 'seed.hex'), '--name', 'carol');
    expect(r.publicKey).toBe(
      Buffer.from(nacl.sign.keyPair.fromSeed(Buffer.from(seed, 'hex')).publicKey).toString('hex'),
    );
    expect(readFileSync(join(tmp.path, 'data', 'state.json'), 'utf8')).not.toContain(seed);
    expect((await cli('identity', 'show')).stdout).not.toContain(seed);
    writeFileSync(join(tmp.path, 'bad.hex'), 'abc');
    expect((await cli('identity', 'import', '--seed-file', join(tmp.path, 'bad.hex'))).stderr).toMatch(
      /identity exists already|32 bytes in hex/,
    );
    const other = Buffer.from(nacl.randomBytes(32)).toString('hex');
    const piped = run(
      [
        'identity',
        'import',
        '--seed-file',
        '-',
        '--name',
        'dave',
        '--data-dir',
        join(tmp.path, 'data2'),
        '--explorer',
        url,
      ],
      {},
      `${other}\n`,
    );
    expect((await piped).code, (await piped).stderr).toBe(0);
  });
});
