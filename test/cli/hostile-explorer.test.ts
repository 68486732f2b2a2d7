/**
 * An explorer that lies (a wrong explorer, or anyone on its http:// path): the real devnet explorer behind
 * a real HTTP proxy that swaps one node's `public_key_hex` for an attacker's key, turns a node's error
 * result into ok, and adds a result for a workload nobody asked for. The client refuses that node by name
 * (sealing nothing to the attacker's key, writing nothing), refuses the forged result naming the node, and
 * ignores the extra one, saying so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdentity, toHex } from '../../src/core/crypto/identity-keys.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { isLoopback } from '../../src/core/overlay/explorer-client.js';
import { cliAsync } from '../support/cli.js';
import { announce, fakeNode } from '../support/grid.js';
import { pollWorkloads, postResult } from '../../src/devnet/node-api.js';

describe('a lying explorer', () => {
  let explorer: ExplorerServer;
  let proxy: Server;
  let dir: string;
  let lying: string;
  let realUrl = '';
  const real = () => realUrl;
  const honest = fakeNode('public', 1);
  const victim = fakeNode('public', 2);
  const attacker = toHex(newIdentity().publicKey);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-hostile-'));
    explorer = new ExplorerServer({ dbPath: join(dir, 'explorer.db') });
    const real = await explorer.listen(0);
    realUrl = real;
    for (const n of [honest, victim]) await announce(real, n);
    // Forwards everything; in node records, the victim's key becomes the attacker's.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${real}${req.url}`, {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      let text = await upstream.text();
      if (req.url!.startsWith('/explorer/nodes')) text = text.replaceAll(victim.public_key_hex, attacker);
      // A reservation's results: an error turned into ok, and a result for a workload nobody asked for.
      if (/^\/explorer\/reservations\/\d+$/.test(req.url!) && upstream.ok) {
        const r = JSON.parse(text);
        if (r.results?.length) {
          r.results.push({ ...r.results[0], workload_id: `${r.id}-2` });
          r.results[0].state = 1;
          r.results[0].message = '';
        }
        text = JSON.stringify(r);
      }
      res.writeHead(upstream.status, {
        'content-type': 'application/json',
        ...(upstream.headers.get('pages') ? { pages: upstream.headers.get('pages')! } : {}),
      });
      res.end(text);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    lying = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await explorer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    cliAsync([...args, '--data-dir', join(dir, 'data'), '--explorer', lying]);

  it('refuses the node whose key does not match its id, by name, and writes nothing', async () => {
    expect((await cli('identity', 'create', '--name', 'mallory-target')).code).toBe(0);
    expect((await cli('network', 'create', 'lab', '--subnet', '10.5.0.0/16')).code).toBe(0);
    expect((await cli('network', 'add-node', 'lab', honest.node_id)).code).toBe(0);
    const before = readFileSync(join(dir, 'data', 'state.json'), 'utf8');
    const r = await cli('network', 'add-node', 'lab', victim.node_id);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `overlay-connect: Node ${victim.node_id}: the explorer gives it a public key whose base58 is not its node id (a wrong explorer, or a tampered reply). Nothing was sealed to it`,
    );
    const after = readFileSync(join(dir, 'data', 'state.json'), 'utf8');
    expect(after).toBe(before);
    expect(after).not.toContain(attacker);
  });

  it('refuses a forged result and ignores one for a workload it did not ask for, saying so', async () => {
    const reg = await cli('network', 'register', 'lab', '--json');
    expect(reg.code, reg.stderr).toBe(0);
    const { reservationId } = JSON.parse(reg.stdout);
    const [w] = (await pollWorkloads(real(), honest.identity)).filter(
      (x) => x.reservation_id === reservationId,
    );
    await postResult(real(), honest.identity, w!.workload_id, { state: 0, message: 'boom' });
    const r = await cli('network', 'status', 'lab', '--json');
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.nodes).toEqual([
      {
        nodeId: honest.node_id,
        state: 'error',
        message: `the result the explorer shows for node ${honest.node_id} is not signed by that node's key: refusing it (a wrong explorer, or a tampered reply)`,
      },
    ]);
    expect(status.ignored).toEqual([
      `reservation ${reservationId}: a result from ${honest.node_id} for workload ${reservationId}-2, which this network did not ask of it`,
    ]);
    expect(r.stderr).toContain(`Ignored reservation ${reservationId}: a result from ${honest.node_id}`);
  });

  it('leaves the node out of a search and says so', async () => {
    const r = await cli('nodes', 'search', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((n: { node_id: string }) => n.node_id)).toEqual([honest.node_id]);
    expect(r.stderr).toContain(
      `Left out node ${victim.node_id}: the explorer gives it a public key whose base58 is not its node id`,
    );
  });
});

describe('plain http', () => {
  it('refuses a non-loopback http explorer unless told, and then warns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-http-'));
    try {
      // 192.0.2.1 is a documentation address: nothing is contacted before the refusal, and nothing answers after.
      const refused = await cliAsync([
        'nodes',
        'search',
        '--data-dir',
        dir,
        '--explorer',
        'http://192.0.2.1:8080',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toBe(
        'overlay-connect: http://192.0.2.1:8080 is plain http on the network: anyone on the way can change its answers. Use https, or --allow-http-explorer if you mean it',
      );
      expect(
        isLoopback('127.0.0.1') && isLoopback('[::1]') && isLoopback('localhost') && !isLoopback('192.0.2.1'),
      ).toBe(true);
      const allowed = await cliAsync([
        'identity',
        'show',
        '--data-dir',
        dir,
        '--explorer',
        'http://192.0.2.1:8080',
        '--allow-http-explorer',
      ]);
      expect(allowed.stderr).toContain(
        'warning: http://192.0.2.1:8080 is plain http: anyone between here and there can change what it says',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
