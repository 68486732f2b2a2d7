/**
 * The `grid …` commands through the REAL CLI (the built bin, a process per command, as a user runs it)
 * against a loopback Grid v3 made here the way the journeys' tests make one (test/grid3/networks/
 * harness.ts: the real chain stand-in, the real relay, the real gridproxy stand-in and a zos responder per
 * node). Two data folders are two devices of the same user.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../src/core/grid3/account.js';
import { devnetGridproxySource } from '../../src/devnet/v3/gridproxy-source.js';
import { startGridproxy, type GridproxyServer } from '../../src/devnet/v3/gridproxy-server.js';
import { devnetV3Dir, saveDevnetV3, type DevnetV3State } from '../../src/devnet/v3/devnet-v3-state.js';
import { cliAsync, type CliRun } from '../support/cli.js';
import { startGrid, type Grid } from '../grid3/networks/harness.js';

// 11: public IPv4 + IPv6 (the access node); 12: IPv6 only; 13: hidden.
const SPECS = [
  { id: 11, twinId: 1011, ipv4: '185.69.166.11/24', ipv6: '2a02:1802:5e:0:1::11/64' },
  { id: 12, twinId: 1012, ipv6: '2a02:1802:5e:0:1::12/64', zos: ['2a02:1802:5e:0:1::12'] },
  { id: 13, twinId: 1013, zos: ['192.168.1.13'] },
];

let grid: Grid;
let unverifiedProxy: GridproxyServer;
let dir: string;
let mnemonic: string;
let account: Grid3Account;
let twinId: number;
let mnemonicFile: string;

const dataA = () => join(dir, 'device-a');
const dataB = () => join(dir, 'device-b');
const dataC = () => join(dir, 'device-c');

beforeAll(async () => {
  grid = await startGrid(SPECS);
  dir = mkdtempSync(join(tmpdir(), 'oc-grid-cli-'));
  mnemonic = mnemonicGenerate();
  account = await Grid3Account.fromMnemonic(mnemonic);
  // What `devnet up --grid v3` gives its user: funded, terms accepted, KYC verified, a twin.
  twinId = grid.chain.state.createVerifiedTwin({
    account: account.address,
    relay: '127.0.0.1',
    pk: account.rmbPublicKeyHex,
  });
  mnemonicFile = join(dir, 'user.mnemonic');
  writeFileSync(mnemonicFile, mnemonic + '\n', { mode: 0o600 });
  // A second gridproxy over the same chain whose KYC service has never heard of anyone.
  unverifiedProxy = await startGridproxy({
    source: devnetGridproxySource({
      chain: grid.readChain,
      nodes: () => grid.sourceNodes,
      kyc: () => undefined,
    }),
  });
});

afterAll(async () => {
  await unverifiedProxy?.close();
  await grid?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const devnetUrls = (gridproxy = grid.gridproxy.url) => [
  '--gridproxy',
  gridproxy,
  '--relay',
  grid.relay.url,
  '--chain',
  grid.chain.url,
];

const env = { OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS: '10000' };
const on = (dataDir: string, args: string[], input?: string) =>
  cliAsync([...args, '--data-dir', dataDir], env, input);
const ok = async (dataDir: string, args: string[], input?: string): Promise<CliRun> => {
  const r = await on(dataDir, args, input);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
const json = async (dataDir: string, args: string[]) =>
  JSON.parse((await ok(dataDir, [...args, '--json'])).stdout);

/** No word sequence of the mnemonic (three words on) appears: not whole, not in part. */
function expectNoMnemonic(text: string): void {
  const words = mnemonic.split(' ');
  for (let i = 0; i + 3 <= words.length; i++) expect(text).not.toContain(words.slice(i, i + 3).join(' '));
}

/** The error line: progress lines (on stderr too) come before it. */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

const outputs: string[] = [];
const track = (r: CliRun) => {
  outputs.push(r.stdout, r.stderr);
  return r;
};

describe('grid commands through the CLI on a loopback v3 grid', () => {
  it('logs in from a file and from standard input, never showing or storing the mnemonic in the clear', async () => {
    const a = track(
      await ok(dataA(), [
        'grid',
        'login',
        '--network',
        'devnet',
        ...devnetUrls(),
        '--mnemonic-file',
        mnemonicFile,
      ]),
    );
    expect(a.stdout).toContain(`Account: ${account.address}`);
    expect(a.stdout).toContain(`Twin:    ${twinId}`);
    expect(a.stdout).toContain('Logged in to devnet.');
    expect(a.stdout).toContain('KYC:     VERIFIED');
    expect(a.stderr).toBe(''); // no gate to report for a funded, verified twin

    const b = track(
      await ok(
        dataB(),
        ['grid', 'login', '--network', 'devnet', ...devnetUrls(), '--mnemonic-file', '-', '--json'],
        mnemonic,
      ),
    );
    expect(JSON.parse(b.stdout)).toEqual({
      network: 'devnet',
      address: account.address,
      twinId,
      balance: '1000',
      termsAccepted: true,
      kyc: 'VERIFIED',
      problems: [],
    });
    for (const d of [dataA(), dataB()]) {
      const state = readFileSync(join(d, 'state.json'), 'utf8');
      expectNoMnemonic(state);
      const parsed = JSON.parse(state);
      expect(parsed.grid3.identity).toMatchObject({ network: 'devnet', address: account.address, twinId });
      expect(parsed.secrets['grid3:mnemonic']).toMatch(/\S/);
    }
  });

  it('--network devnet alone reads the addresses and the mnemonic file from `devnet up --grid v3`’s state', async () => {
    // The state file as src/devnet/v3/devnet-v3-state.ts writes it, pointing at this test's grid.
    const devnetData = join(dir, 'devnet-data');
    const port = (u: string) => Number(new URL(u).port);
    const state: DevnetV3State = {
      grid: 'v3',
      ports: {
        chain: port(grid.chain.url),
        gridproxy: port(grid.gridproxy.url),
        relay: port(grid.relay.url),
      },
      laptopNamespace: 'oc-laptop',
      account: { address: account.address, twinId, mnemonicFile },
      nodes: [],
      pids: { agents: {} },
      running: true,
    };
    mkdirSync(devnetV3Dir(devnetData), { recursive: true, mode: 0o700 });
    saveDevnetV3(devnetV3Dir(devnetData), state);
    const d = join(dir, 'device-devnet');
    const r = await ok(d, ['grid', 'login', '--network', 'devnet', '--devnet-data', devnetData]);
    expect(r.stdout).toContain(`Account: ${account.address}`);
    expect((await json(d, ['grid', 'whoami'])).urls).toEqual({
      gridproxy: grid.gridproxy.url,
      relay: grid.relay.url,
      chain: grid.chain.url,
    });
    saveDevnetV3(devnetV3Dir(devnetData), { ...state, running: false });
    const down = await on(d, ['grid', 'login', '--network', 'devnet', '--devnet-data', devnetData]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe('overlay-connect: The v3 devnet is down: devnet up --grid v3\n');
  });

  it('whoami --json gives the login without any secret', async () => {
    const r = track(await ok(dataA(), ['grid', 'whoami', '--json']));
    expect(JSON.parse(r.stdout)).toEqual({
      network: 'devnet',
      address: account.address,
      twinId,
      urls: { gridproxy: grid.gridproxy.url, relay: grid.relay.url, chain: grid.chain.url },
    });
  });

  it('lists nodes with filters', async () => {
    const all = await json(dataA(), ['grid', 'nodes']);
    expect(all.map((n: { nodeId: number }) => n.nodeId).sort()).toEqual([11, 12, 13]);
    const v4 = await json(dataA(), ['grid', 'nodes', '--ipv4']);
    expect(v4).toEqual([
      expect.objectContaining({
        nodeId: 11,
        farmId: 1,
        ipv4: '185.69.166.11/24',
        ipv6: '2a02:1802:5e:0:1::11/64',
      }),
    ]);
    const v6 = await json(dataA(), ['grid', 'nodes', '--ipv6', '--farm', '1']);
    expect(v6.map((n: { nodeId: number }) => n.nodeId).sort()).toEqual([11, 12]);
    const text = await ok(dataA(), ['grid', 'nodes', '--ipv4']);
    expect(text.stdout).toMatch(/^NODE\s+FARM\s+IPV4\s+IPV6\n11\s+1\s+185\.69\.166\.11\/24\s+2a02/m);
  });

  it('creates a network with this device’s access as a tunnel; networks shows it mine', async () => {
    const r = track(
      await ok(dataA(), [
        'grid',
        'create',
        'net1',
        '--subnet',
        '10.20.0.0/16',
        '--nodes',
        '11,12,13',
        '--access',
        '11',
        '--json',
      ]),
    );
    const created = JSON.parse(r.stdout);
    expect(created).toMatchObject({ network: 'net1', ipRange: '10.20.0.0/16', tunnel: 'net1' });
    expect(created.contracts.map((c: { nodeId: number }) => c.nodeId)).toEqual([11, 12, 13]);
    expect(created.access).not.toHaveProperty('privateKey');
    // Progress on stderr names the nodes and contracts of the long steps.
    for (const c of created.contracts as Array<{ nodeId: number; contractId: number }>) {
      expect(r.stderr).toContain(`of contract ${c.contractId} to node ${c.nodeId}`);
    }
    expect(r.stderr).toMatch(/creating 3 node contracts in one batch/);

    const listed = await json(dataA(), ['grid', 'networks']);
    expect(listed.networks).toHaveLength(1);
    const net = listed.networks[0];
    expect(net).toMatchObject({ name: 'net1', ipRange: '10.20.0.0/16' });
    expect(net.nodes.map((n: { nodeId: number; contractId: number }) => [n.nodeId, n.contractId])).toEqual(
      created.contracts.map((c: { nodeId: number; contractId: number }) => [c.nodeId, c.contractId]),
    );
    expect(net.nodes.find((n: { nodeId: number }) => n.nodeId === 11)).toMatchObject({
      subnet: expect.stringMatching(/^10\.20\.\d+\.0\/24$/),
      endpoint: expect.stringMatching(/^185\.69\.166\.11:\d+$/),
      state: 'ok',
    });
    expect(net.nodes.find((n: { nodeId: number }) => n.nodeId === 13).endpoint).toBeNull();
    expect(net.accesses).toEqual([
      expect.objectContaining({ nodeId: 11, subnet: created.access.subnet, mine: true, tunnel: 'net1' }),
    ]);

    // The access is a tunnel like any other; the text listing shows it too.
    const tunnels = await json(dataA(), ['tunnel', 'list']);
    expect(tunnels).toEqual([
      expect.objectContaining({ name: 'net1', source: 'access', publicKey: created.access.publicKey }),
    ]);
    expect((await ok(dataA(), ['tunnel', 'list'])).stdout).toMatch(/^net1\s+\S+\s+185\.69\.166\.11:\d+$/m);
    const text = await ok(dataA(), ['grid', 'networks']);
    expect(text.stdout).toContain(`access ${created.access.subnet} through node 11  mine: tunnel "net1"`);
  });

  it('a second device connects: two accesses, each device sees its own as mine', async () => {
    const r = track(await ok(dataB(), ['grid', 'connect', 'net1']));
    expect(r.stdout).toBe('net1\n'); // the tunnel's name, for scripts
    expect(r.stderr).toMatch(/updating contracts? [\d, ]+ in one batch/);
    const onB = (await json(dataB(), ['grid', 'networks'])).networks[0];
    const onA = (await json(dataA(), ['grid', 'networks'])).networks[0];
    expect(onB.accesses).toHaveLength(2);
    expect(onA.accesses).toHaveLength(2);
    const minesB = onB.accesses.filter((a: { mine: boolean }) => a.mine);
    const minesA = onA.accesses.filter((a: { mine: boolean }) => a.mine);
    expect(minesB).toHaveLength(1);
    expect(minesA).toHaveLength(1);
    expect(minesB[0].subnet).not.toBe(minesA[0].subnet);
    expect(minesB[0].tunnel).toBe('net1');
    expect(onA.accesses.find((a: { mine: boolean }) => !a.mine).tunnel).toBeNull();
    // The second device's key is its own: sealed in its store, never written to the grid.
    const tB = (await json(dataB(), ['tunnel', 'list']))[0];
    expect(tB.publicKey).toBe(minesB[0].publicKey);
    expect(onB.accesses.every((a: { importable: boolean }) => !a.importable)).toBe(true);
    // Connecting again is refused: one access per device.
    const again = await on(dataB(), ['grid', 'connect', 'net1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'overlay-connect: This device already has an access to net1: tunnel "net1" (grid disconnect net1 first)\n',
    );
  });

  it('disconnect removes only this device’s access and its tunnel', async () => {
    const r = track(await ok(dataB(), ['grid', 'disconnect', 'net1']));
    expect(r.stdout).toMatch(
      /^Removed this device's access 10\.20\.\d+\.0\/24 \(node 11\) from net1\nRemoved tunnel "net1"\n$/,
    );
    expect(await json(dataB(), ['tunnel', 'list'])).toEqual([]);
    const onA = (await json(dataA(), ['grid', 'networks'])).networks[0];
    expect(onA.accesses).toEqual([expect.objectContaining({ mine: true, tunnel: 'net1' })]);
    const none = await on(dataB(), ['grid', 'disconnect', 'net1']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('overlay-connect: This device has no access to net1\n');
  });

  it('a connect that fails half-way keeps its key sealed; the rerun finishes the same access', async () => {
    const node = grid.nodes.get(11)!;
    node.pending = true; // its workloads never reach "ok": the wait for it times out
    let failed: CliRun;
    try {
      failed = await cliAsync(['grid', 'connect', 'net1', '--data-dir', dataB()], {
        OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS: '1500',
      });
    } finally {
      node.pending = false;
    }
    track(failed);
    expect(failed.code).toBe(1);
    const error = lastLine(failed.stderr)!;
    expect(error).toMatch(
      /^overlay-connect: .*node 11.*This device's key stays sealed: run grid connect net1 again to finish$/,
    );
    const state = JSON.parse(readFileSync(join(dataB(), 'state.json'), 'utf8'));
    const pending = state.grid3.accesses.filter((a: { network: string }) => a.network === 'net1');
    expect(pending).toEqual([expect.objectContaining({ origin: 'connect', account: account.address })]);
    expect(pending[0].tunnel).toBeUndefined();
    expect(state.secrets[`grid3:device-key:${pending[0].publicKey}`]).toMatch(/\S/);
    expect(JSON.stringify(state)).not.toMatch(/PrivateKey|privateKey/);

    const rerun = track(await ok(dataB(), ['grid', 'connect', 'net1', '--json']));
    const done = JSON.parse(rerun.stdout);
    expect(rerun.stderr).toContain(`resuming the access begun earlier (key ${pending[0].publicKey})`);
    expect(done).toMatchObject({ network: 'net1', tunnel: 'net1', publicKey: pending[0].publicKey });
    const onA = (await json(dataA(), ['grid', 'networks'])).networks[0];
    expect(onA.accesses).toHaveLength(2); // one access for device B, not two
    const after = JSON.parse(readFileSync(join(dataB(), 'state.json'), 'utf8'));
    expect(after.secrets[`grid3:device-key:${pending[0].publicKey}`]).toBeUndefined();
    await ok(dataB(), ['grid', 'disconnect', 'net1']);
  });

  it('imports an access whose key is in user_accesses (made with --share-key) on a third device', async () => {
    // Device B shares its key: user_accesses then carries it, as the dashboard's own accesses do.
    const shared = JSON.parse(
      track(await ok(dataB(), ['grid', 'connect', 'net1', '--share-key', '--json'])).stdout,
    );
    expect(shared).toMatchObject({ network: 'net1', nodeId: 11, tunnel: 'net1' });
    const listed = (await json(dataA(), ['grid', 'networks'])).networks[0];
    expect(
      listed.accesses.find((a: { publicKey: string }) => a.publicKey === shared.publicKey),
    ).toMatchObject({
      mine: false,
      importable: true,
    });
    await ok(dataC(), [
      'grid',
      'login',
      '--network',
      'devnet',
      ...devnetUrls(),
      '--mnemonic-file',
      mnemonicFile,
    ]);
    const imported = JSON.parse(track(await ok(dataC(), ['grid', 'import', 'net1', '--json'])).stdout);
    expect(imported).toMatchObject({
      network: 'net1',
      nodeId: 11,
      subnet: shared.subnet,
      publicKey: shared.publicKey,
      tunnel: 'net1',
      endpoint: shared.endpoint,
    });
    const onC = (await json(dataC(), ['grid', 'networks'])).networks[0];
    expect(onC.accesses.find((a: { publicKey: string }) => a.publicKey === shared.publicKey)).toMatchObject({
      mine: true,
      tunnel: 'net1',
    });
    const twice = await on(dataC(), ['grid', 'import', 'net1']);
    expect(twice.code).toBe(1);
    expect(lastLine(twice.stderr)).toBe('overlay-connect: That access of net1 is already tunnel "net1"');
  });

  it('refuses, by name, a node whose twin gridproxy gives otherwise than the chain', async () => {
    const before = (await json(dataA(), ['grid', 'networks'])).networks[0].accesses.length;
    const lying = grid.sourceNodes.find((n) => n.nodeId === 11)!;
    lying.twinId = 1012; // gridproxy now sends node 11's messages to node 12's twin
    let r: CliRun;
    try {
      r = track(
        await on(join(dir, 'device-d'), [
          'grid',
          'login',
          '--network',
          'devnet',
          ...devnetUrls(),
          '--mnemonic-file',
          mnemonicFile,
        ]),
      );
      expect(r.code, r.stderr).toBe(0);
      r = track(await on(join(dir, 'device-d'), ['grid', 'connect', 'net1']));
    } finally {
      lying.twinId = 1011;
    }
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toMatch(
      /^overlay-connect: network net1 cannot be changed while node 11 cannot be read: node 11: gridproxy says its twin is 1012, the chain says 1011; refused .*This device's key stays sealed/,
    );
    expect((await json(dataA(), ['grid', 'networks'])).networks[0].accesses).toHaveLength(before);
  });

  it('delete cancels the contracts and removes this device’s tunnels of it', async () => {
    // A tunnel renamed by hand is still known as this access's.
    await ok(dataA(), ['tunnel', 'rename', 'net1', 'home-net1']);
    const before = (await json(dataA(), ['grid', 'networks'])).networks[0];
    expect(before.accesses.find((a: { mine: boolean }) => a.mine).tunnel).toBe('home-net1');
    const r = track(await ok(dataA(), ['grid', 'delete', 'net1', '--json']));
    const deleted = JSON.parse(r.stdout);
    expect(deleted).toMatchObject({ network: 'net1', removedTunnels: ['home-net1'] });
    expect([...deleted.cancelledContracts].sort()).toEqual(
      before.nodes.map((n: { contractId: number }) => n.contractId).sort(),
    );
    for (const id of deleted.cancelledContracts)
      expect((await grid.readChain.contract(id))?.state ?? 'Deleted').toBe('Deleted');
    expect(r.stderr).toMatch(/cancelling contracts [\d, ]+ in one batch/);
    expect(await json(dataA(), ['tunnel', 'list'])).toEqual([]);
    expect((await json(dataA(), ['grid', 'networks'])).networks).toEqual([]);
    const gone = await on(dataA(), ['grid', 'delete', 'net1']);
    expect(gone.code).toBe(1);
    expect(lastLine(gone.stderr)).toBe('overlay-connect: you have no network named net1');
  });

  it('says a missing twin or KYC in one line each, and where to fix it', async () => {
    const stranger = mnemonicGenerate();
    const file = join(dir, 'stranger.mnemonic');
    writeFileSync(file, stranger, { mode: 0o600 });
    const d = join(dir, 'stranger');
    const r = await ok(d, [
      'grid',
      'login',
      '--network',
      'devnet',
      ...devnetUrls(unverifiedProxy.url),
      '--mnemonic-file',
      file,
    ]);
    expect(r.stdout).toContain('Twin:    none');
    const notes = r.stderr.trim().split('\n');
    expect(notes).toEqual([
      'note: No twin: this account has none on devnet; create it in the devnet (devnet up --grid v3 makes a funded, verified twin). Listing nodes needs none.',
      'note: Terms and conditions not accepted: accept them in the devnet (devnet up --grid v3 makes a funded, verified twin).',
      'note: No funds: the account holds 0 TFT; fund it in the devnet (devnet up --grid v3 makes a funded, verified twin) before creating or connecting.',
      expect.stringMatching(
        /^note: KYC unverified: Complete KYC verification in the ThreeFold Dashboard \(devnet up --grid v3\)/,
      ),
    ]);
    // Reading needs none of them; writing needs a twin, and says so in one line.
    expect((await json(d, ['grid', 'nodes'])).length).toBe(3);
    const net = await on(d, ['grid', 'networks']);
    expect(net.code).toBe(1);
    expect(net.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(net.stderr).toMatch(/^overlay-connect: Account \S+ has no twin on devnet: create one/);

    // A verified twin whose KYC service says otherwise: only that gate.
    const kyc = await ok(dataA(), [
      'grid',
      'login',
      '--network',
      'devnet',
      ...devnetUrls(unverifiedProxy.url),
      '--mnemonic-file',
      mnemonicFile,
    ]);
    expect(kyc.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^note: KYC unverified: /)]);
  });

  it('refuses a mnemonic on the command line and a bad one without echoing it', async () => {
    const bad = join(dir, 'bad.mnemonic');
    writeFileSync(bad, 'these are not twelve valid words at all you know that right');
    const r = await on(join(dir, 'bad'), [
      'grid',
      'login',
      '--network',
      'devnet',
      ...devnetUrls(),
      '--mnemonic-file',
      bad,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('overlay-connect: That is not a valid TFChain mnemonic (12 or 24 BIP39 words)\n');
    const argv = await on(join(dir, 'bad'), ['grid', 'login', '--mnemonic', mnemonic]);
    expect(argv.code).toBe(2);
    expect(argv.stderr + argv.stdout).not.toContain(mnemonic.split(' ')[1]);
    const noInput = await on(join(dir, 'bad'), ['grid', 'login', '--network', 'devnet', ...devnetUrls()]);
    expect(noInput.code).toBe(1);
    expect(noInput.stderr).toMatch(/^overlay-connect: grid login needs the mnemonic: --mnemonic-file FILE/);
  });

  it('logout forgets the mnemonic; the access tunnels stay', async () => {
    const r = await ok(dataC(), ['grid', 'logout']);
    expect(r.stdout).toBe(
      `Logged out of ${account.address} (devnet): its mnemonic is gone from this device; the access tunnels stay\n`,
    );
    const state = JSON.parse(readFileSync(join(dataC(), 'state.json'), 'utf8'));
    expect(state.secrets['grid3:mnemonic']).toBeUndefined();
    expect(state.grid3.identity).toBeUndefined();
    expect((await json(dataC(), ['tunnel', 'list'])).map((t: { name: string }) => t.name)).toEqual(['net1']);
    const who = await on(dataC(), ['grid', 'whoami']);
    expect(who.code).toBe(1);
    expect(who.stderr).toMatch(/^overlay-connect: Not logged in to the grid: /);
  });

  it('no command printed any part of the mnemonic', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const o of outputs) expectNoMnemonic(o);
  });
});

describe('the grid libraries load only in grid commands', () => {
  // An ESM resolve hook (the bundle leaves packages external, so each is resolved by name) that writes
  // every URL resolved to a file.
  let hookDir: string;
  beforeAll(() => {
    hookDir = mkdtempSync(join(tmpdir(), 'oc-hook-'));
    const log = join(hookDir, 'resolved.log');
    const hooks = join(hookDir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\n` +
        `export async function resolve(specifier, context, next) {\n` +
        `  const r = await next(specifier, context);\n` +
        `  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n` +
        `  return r;\n}\n`,
    );
    writeFileSync(
      join(hookDir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    chmodSync(hooks, 0o600);
  });
  afterAll(() => rmSync(hookDir, { recursive: true, force: true }));

  const resolvedBy = async (args: string[]): Promise<string[]> => {
    const log = join(hookDir, 'resolved.log');
    rmSync(log, { force: true });
    const r = await cliAsync(args, {
      NODE_OPTIONS: `--import=${pathToFileURL(join(hookDir, 'register.mjs')).href}`,
    });
    expect(r.code, r.stderr).toBe(0);
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  };

  it('--help, tunnel list and grid logout resolve no @polkadot module', async () => {
    const data = join(dir ?? tmpdir(), 'hook-data');
    for (const args of [
      ['--help'],
      ['tunnel', 'list', '--data-dir', data],
      ['grid', 'logout', '--data-dir', data],
    ]) {
      const urls = await resolvedBy(args);
      expect(urls.length, args.join(' ')).toBeGreaterThan(0); // the hook ran
      expect(
        urls.filter((u) => u.includes('@polkadot')),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it('--help says where the device key lives and what --share-key makes the dashboard show', async () => {
    const r = await cliAsync(['--help']);
    expect(r.stdout).toContain('grid connect NAME [--via NODE_ID] [--share-key]');
    expect(r.stdout).toContain('kept sealed only here: the dashboard shows no config for it');
    expect(r.stdout).toContain('the dashboard then shows its WireGuard config');
  });

  it('a grid command that needs the chain does load it (the hook sees @polkadot)', async () => {
    const bad = join(hookDir, 'bad.mnemonic');
    writeFileSync(bad, 'not a mnemonic');
    const log = join(hookDir, 'resolved.log');
    rmSync(log, { force: true });
    await cliAsync(['grid', 'login', '--mnemonic-file', bad, '--data-dir', join(hookDir, 'd')], {
      NODE_OPTIONS: `--import=${pathToFileURL(join(hookDir, 'register.mjs')).href}`,
    });
    expect(readFileSync(log, 'utf8')).toContain('@polkadot');
  });
});
