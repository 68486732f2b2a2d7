/**
 * No secret in any output: the real CLI (its entry point, in this process) is run over valid configs,
 * hostile ones that put keys where they do not belong, and a few hundred fuzzed files; over a network with an
 * access, an identity and a registration. Every stdout, stderr and JSON is kept, and every private key,
 * preshared key and seed (also the ones made inside: the access's laptop key) is searched for in them, in
 * base64 and in hex. Then state.json, which must hold none either.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { announce, fakeNode } from '../support/grid.js';
import { openTestStore } from '../support/store.js';
import { useTempDir } from '../support/tmp.js';

const PASSPHRASE = 'sweep passphrase';

describe('no secret in any output', () => {
  const tmp = useTempDir();

  it('the CLI over valid, hostile and fuzzed configs, a network with an access, and an identity', async () => {
    const outputs: string[] = [];
    const dataDir = join(tmp.path, 'data');
    const explorer = new ExplorerServer({ dbPath: join(tmp.path, 'explorer.db') });
    const explorerUrl = await explorer.listen(0);
    const run = async (args: string[], stdinText = '') => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (d: Buffer) => (out += d));
      stderr.on('data', (d: Buffer) => (err += d));
      const stdin = Readable.from([stdinText]) as unknown as NodeJS.ReadStream;
      const code = await runCli([...args, '--data-dir', dataDir, '--explorer', explorerUrl], {
        stdout,
        stderr,
        stdin,
        env: { OVERLAY_CONNECT_PASSPHRASE: PASSPHRASE },
      });
      outputs.push(out, err);
      return code;
    };

    const keys = Array.from({ length: 4 }, () => generateKeyPair());
    const psks = [generateKeyPair().privateKey, generateKeyPair().privateKey];
    const seed = Buffer.from(generateKeyPair().privateKey, 'base64').toString('hex');
    const [a, b, c, d] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
    const valid = [
      `[Interface]\nPrivateKey = ${a.privateKey}\nAddress = 10.5.0.2/24\n\n[Peer]\nPublicKey = ${b.publicKey}\nPresharedKey = ${psks[0]}\nAllowedIPs = 10.5.0.0/24\nEndpoint = 198.51.100.4:51820\n`,
      `[Interface]\nPrivateKey = ${c.privateKey}\nAddress = 10.6.0.2/24\nDNS = 10.6.0.1\nPostUp = logger up\n[Peer]\nPublicKey = ${d.publicKey}\nPresharedKey = ${psks[1]}\nAllowedIPs = 10.6.0.0/24\nEndpoint = 192.168.1.4:51820\n[Peer]\nPublicKey = ${a.publicKey}\nAllowedIPs = 10.6.1.0/24\n`,
    ];
    const hostile = [
      `[Interface]\nPrivateKey: ${a.privateKey}\n`,
      `[Interface]\nPrivateKey = ${a.privateKey}x\n`,
      `[Interface]\nPrivateKey = ${a.privateKey}\nFoo = ${b.privateKey}\n`,
      `[Interface]\nPrivateKey = ${a.privateKey}\nPresharedKey = ${psks[0]}\n`,
      `[${c.privateKey}]\nPrivateKey = ${c.privateKey}\n`,
      `[Interface]\nPrivateKey = ${d.privateKey}\n[Peer]\nPublicKey = ${d.privateKey.slice(0, 40)}\nEndpoint = ${psks[1]}\nAllowedIPs = ${psks[0]}\n`,
      `${b.privateKey}\n${psks[1]} = ${psks[0]}\n`,
      `[Interface]\nPrivateKey = ${b.privateKey.replace(/\+/g, '-')}\nDNS = ${psks[0]}\nMTU = ${c.privateKey}\n`,
    ];
    const fragment = fc.constantFrom(
      '[Interface]',
      '[Peer]',
      'PrivateKey',
      'PresharedKey',
      'PublicKey',
      'Endpoint',
      'AllowedIPs',
      'Address',
      '=',
      ' = ',
      ':',
      '#',
      '\r',
      ',',
      '10.0.0.1/24',
      ...keys.flatMap((k) => [k.privateKey, k.publicKey]),
      ...psks,
    );
    const fuzzed = fc.sample(
      fc
        .array(
          fc.array(fragment, { maxLength: 5 }).map((f) => f.join('')),
          { maxLength: 12 },
        )
        .map((l) => l.join('\n')),
      { numRuns: 300, seed: 7 },
    );
    mkdirSync(join(tmp.path, 'conf'));
    const corpus = [...valid, ...hostile, ...fuzzed];
    let imported = 0;
    for (const [i, text] of corpus.entries()) {
      const file = join(tmp.path, 'conf', `c${i}.conf`);
      writeFileSync(file, text, { mode: 0o600 });
      await run(['config', 'check', file]);
      await run(['config', 'check', file, '--json']);
      if ((await run(['tunnel', 'import', file, '--name', `t${i}`, '--json'])) === 0) imported++;
    }
    expect(imported).toBeGreaterThanOrEqual(valid.length);
    for (const args of [
      ['tunnel', 'list'],
      ['tunnel', 'list', '--json'],
      ['tunnel', 'status', '--json'],
    ])
      await run(args);
    for (const name of ['t0', 't1']) {
      await run(['tunnel', 'show', name]);
      await run(['tunnel', 'show', name, '--json']);
      await run(['tunnel', 'scripts', name]);
    }
    await run(['tunnel', 'rename', 't0', 'renamed']);
    await run(['tunnel', 'show', 'renamed', '--json']);

    // An identity from a seed (a wrong one first), a network with an access, registered.
    await run(['identity', 'import', '--seed-file', '-'], `${seed}ff\n`);
    expect(await run(['identity', 'import', '--seed-file', '-', '--name', 'sweep'], `${seed}\n`)).toBe(0);
    await run(['identity', 'show', '--json']);
    const node = fakeNode('public', 1);
    await announce(explorerUrl, node);
    expect(await run(['network', 'create', 'net', '--subnet', '10.30.0.0/16'])).toBe(0);
    expect(await run(['network', 'add-node', 'net', node.node_id])).toBe(0);
    expect(await run(['network', 'add-access', 'net', node.node_id, '--ipv4', '--json'])).toBe(0);
    for (const args of [
      ['network', 'show', 'net'],
      ['network', 'show', 'net', '--json'],
      ['network', 'register', 'net'],
      ['network', 'status', 'net', '--json'],
      ['network', 'list', '--json'],
      ['tunnel', 'show', 'net', '--json'],
      ['keys', 'slots', '--json'],
    ])
      await run(args);
    await explorer.close();

    // Every secret, including the access's laptop key, which only the store knows.
    const { tunnels } = openTestStore(dataDir, PASSPHRASE);
    const laptopKey = /^PrivateKey = (.+)$/m.exec(await tunnels.exportText('net'))![1]!;
    const secrets = [...keys.map((k) => k.privateKey), ...psks, seed, laptopKey];
    const forms = secrets.flatMap((s) =>
      /^[0-9a-f]{64}$/.test(s) ? [s] : [s, Buffer.from(s, 'base64').toString('hex')],
    );
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(10_000); // the outputs were really collected
    expect(all).toMatch(/PrivateKey `YWJj|Unknown key|line \d+/); // and include errors about key lines
    const hits = forms.filter((f) => all.includes(f) || all.includes(f.slice(0, 20)));
    const where = hits.map((h) => outputs.find((o) => o.includes(h.slice(0, 20)))!.slice(0, 300));
    expect(where).toEqual([]);
    const state = readFileSync(join(dataDir, 'state.json'), 'utf8');
    expect(forms.filter((f) => state.includes(f.slice(0, 20)))).toEqual([]);
  }, 180_000);
});
