/**
 * An explorer that lies about a node's key (a wrong explorer, or anyone on its http:// path): the real
 * devnet explorer behind a real HTTP proxy that swaps one node's `public_key_hex` for an attacker's key.
 * The client refuses that node by name, seals nothing to the attacker's key and writes nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newIdentity, toHex } from '../../src/core/crypto/identity-keys.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { cliAsync } from '../support/cli.js';
import { announce, fakeNode } from '../support/grid.js';

describe('a lying explorer', () => {
  let explorer: ExplorerServer;
  let proxy: Server;
  let dir: string;
  let lying: string;
  const honest = fakeNode('public', 1);
  const victim = fakeNode('public', 2);
  const attacker = toHex(newIdentity().publicKey);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-hostile-'));
    explorer = new ExplorerServer({ dbPath: join(dir, 'explorer.db') });
    const real = await explorer.listen(0);
    for (const n of [honest, victim]) await announce(real, n);
    // Forwards everything; in node records, the victim's key becomes the attacker's.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${real}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json' }, body: chunks.length ? Buffer.concat(chunks) : undefined });
      let text = await upstream.text();
      if (req.url!.startsWith('/explorer/nodes')) text = text.replaceAll(victim.public_key_hex, attacker);
      res.writeHead(upstream.status, { 'content-type': 'application/json', ...(upstream.headers.get('pages') ? { pages: upstream.headers.get('pages')! } : {}) });
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

  const cli = (...args: string[]) => cliAsync([...args, '--data-dir', join(dir, 'data'), '--explorer', lying]);

  it('refuses the node whose key does not match its id, by name, and writes nothing', async () => {
    expect((await cli('identity', 'create', '--name', 'mallory-target')).code).toBe(0);
    expect((await cli('network', 'create', 'lab', '--subnet', '10.5.0.0/16')).code).toBe(0);
    expect((await cli('network', 'add-node', 'lab', honest.node_id)).code).toBe(0);
    const before = readFileSync(join(dir, 'data', 'state.json'), 'utf8');
    const r = await cli('network', 'add-node', 'lab', victim.node_id);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`overlay-connect: Node ${victim.node_id}: the explorer gives it a public key whose base58 is not its node id (a wrong explorer, or a tampered reply). Nothing was sealed to it`);
    const after = readFileSync(join(dir, 'data', 'state.json'), 'utf8');
    expect(after).toBe(before);
    expect(after).not.toContain(attacker);
  });

  it('leaves the node out of a search and says so', async () => {
    const r = await cli('nodes', 'search', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((n: { node_id: string }) => n.node_id)).toEqual([honest.node_id]);
    expect(r.stderr).toContain(`Left out node ${victim.node_id}: the explorer gives it a public key whose base58 is not its node id`);
  });
});
