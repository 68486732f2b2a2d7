/**
 * The v3 devnet through the real CLI (root, namespaces): `devnet up --grid v3` brings up the chain, gridproxy,
 * the relay and one node agent per node, each its own process; the user gets a funded, verified twin whose
 * mnemonic sits in a 0600 file; the grid's own gridproxy client lists the nodes; every node agent answers
 * the user over RMB through the relay; `down` leaves no process and no namespace, and `up` again resumes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { devnetUnavailable } from '../../../src/devnet/devnet.js';
import { chainTwins } from '../../../src/grid3/networks/chain-twins.js';
import { RmbClient } from '../../../src/grid3/rmb/client.js';
import { connectDevnetChain } from '../../../src/grid3/tfchain/devnet-client.js';
import { cliAsync } from '../../support/cli.js';
import { gate } from '../../support/gate.js';

const skip = gate('v3 devnet tests', devnetUnavailable());

const require = createRequire(import.meta.url);
interface OracleClient {
  nodes: {
    list(q: object): Promise<{
      count: number | null;
      data: Array<{ nodeId: number; twinId: number; status: string; publicConfig: { ipv4: string } }>;
    }>;
  };
}

interface Status {
  grid: string;
  running: boolean;
  chain: string;
  gridproxy: string;
  relay: string;
  laptopNamespace: string;
  account: { address: string; twinId: number; mnemonicFile: string };
  nodes: Array<{
    name: string;
    nodeId: number;
    twinId: number;
    kind: string;
    namespace: string;
    publicConfig: { ipv4: string; ipv6: string } | null;
  }>;
  pids: { chain: number; gridproxy: number; relay: number; agents: Record<string, number> };
}

const devnetNamespaces = () =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((l) => l.startsWith('ocd-'));
/** A zombie is dead: it waits only for this container's init to reap it. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const pidsOf = (s: Status) => [s.pids.chain, s.pids.gridproxy, s.pids.relay, ...Object.values(s.pids.agents)];

describe.skipIf(skip)('devnet up --grid v3', () => {
  let dataDir: string;
  let status: Status;
  const cli = async (...args: string[]) => cliAsync([...args, '--data-dir', dataDir]);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const readStatus = async () => JSON.parse((await ok('devnet', 'status', '--json')).stdout) as Status;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oc-devnet-v3-'));
    await ok('devnet', 'up', '--grid', 'v3');
    status = await readStatus();
  }, 90_000);
  afterAll(async () => {
    await cli('devnet', 'down', '--purge');
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('status --json gives the grid, its addresses, the account and the nodes with their public configs', () => {
    expect(status.grid).toBe('v3');
    expect(status.running).toBe(true);
    for (const u of [status.chain, status.gridproxy]) expect(new URL(u).hostname).toBe('127.0.0.1');
    expect(new URL(status.relay).protocol).toBe('ws:');
    expect(new URL(status.relay).hostname).toBe('127.0.0.1');
    expect(status.laptopNamespace).toBe('ocd-laptop');
    expect(status.nodes.map((n) => [n.name, n.kind, n.namespace])).toEqual([
      ['n1', 'public', 'ocd-n1'],
      ['n2', 'public', 'ocd-n2'],
      ['n3', 'ipv6-only', 'ocd-n3'],
      ['n4', 'hidden', 'ocd-n4'],
    ]);
    const [n1, , n3, n4] = status.nodes;
    expect(n1!.publicConfig).toMatchObject({ ipv4: '198.51.100.11/24', ipv6: '2001:db8:1::b/64' });
    expect(n3!.publicConfig).toMatchObject({ ipv4: '', ipv6: '2001:db8:1::d/64' });
    expect(n4!.publicConfig).toBeNull();
    expect(new Set(status.nodes.map((n) => n.twinId)).size).toBe(4);
    expect(status.nodes.map((n) => n.nodeId)).not.toEqual(status.nodes.map((n) => n.twinId));
  });

  it('refuses a second up, the v2 devnet beside it, and a grid it does not know', async () => {
    const again = await cli('devnet', 'up', '--grid', 'v3');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already up/);
    const v2 = await cli('devnet', 'up');
    expect(v2.code).not.toBe(0);
    expect(v2.stderr).toMatch(/v3 devnet is up/);
    const bad = await cli('devnet', 'up', '--grid', 'v4');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--grid takes v2 or v3/);
  });

  it('each part is its own live process, listed in status', () => {
    const pids = pidsOf(status);
    expect(pids).toHaveLength(3 + status.nodes.length);
    expect(new Set(pids).size).toBe(pids.length);
    for (const pid of pids) {
      expect(alive(pid)).toBe(true);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('serve');
    }
  });

  it('the mnemonic file is 0600 and its account has a funded, verified twin on the chain', async () => {
    const file = status.account.mnemonicFile;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const account = await Grid3Account.fromMnemonic(readFileSync(file, 'utf8').trim());
    expect(account.address).toBe(status.account.address);
    const chain = connectDevnetChain({ url: status.chain });
    try {
      expect(await chain.twinByAccount(account.address)).toBe(status.account.twinId);
      const twin = await chain.twin(status.account.twinId);
      expect(twin?.pk).toBe(account.rmbPublicKeyHex);
      expect(await chain.balance(account.address)).toBeGreaterThan(0n);
      expect(await chain.termsAccepted(account.address)).toBe(true);
    } finally {
      await chain.close();
    }
    // The mnemonic is on no command line of the devnet's processes.
    const words = readFileSync(file, 'utf8').trim();
    for (const pid of pidsOf(status))
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(words);
    const dir = dirname(file);
    for (const log of readdirSync(dir).filter((f) => f.endsWith('.log')))
      expect(readFileSync(join(dir, log), 'utf8')).not.toContain(words.split(' ').slice(0, 3).join(' '));
  });

  it("the grid's own gridproxy client lists the devnet's nodes, up, with their twins", async () => {
    const mod = require('@threefold/gridproxy_client') as { default: new (url: string) => OracleClient };
    const oracle = new mod.default(status.gridproxy);
    const list = await oracle.nodes.list({ status: 'up', retCount: true });
    expect(list.count).toBe(status.nodes.length);
    expect(list.data.map((n) => [n.nodeId, n.twinId]).sort()).toEqual(
      status.nodes.map((n) => [n.nodeId, n.twinId]).sort(),
    );
    const ipv4 = await oracle.nodes.list({ ipv4: true });
    expect(ipv4.data.map((n) => n.nodeId).sort()).toEqual(
      status.nodes.filter((n) => n.kind === 'public').map((n) => n.nodeId),
    );
    const twins = (await (
      await fetch(`${status.gridproxy}/twins?twin_id=${status.account.twinId}`)
    ).json()) as Array<{
      accountId: string;
    }>;
    expect(twins.map((t) => t.accountId)).toEqual([status.account.address]);
  });

  it('every node agent answers the user twin over RMB through the relay', async () => {
    const account = await Grid3Account.fromMnemonic(readFileSync(status.account.mnemonicFile, 'utf8').trim());
    const chain = connectDevnetChain({ url: status.chain });
    const rmb = await RmbClient.connect({
      relayUrl: status.relay,
      twinId: status.account.twinId,
      identity: account,
      twins: chainTwins(chain),
      timeoutMs: 10_000,
    });
    try {
      for (const n of status.nodes) {
        const features = (await rmb.request(n.twinId, 'zos.system.node_features_get')) as string[];
        expect(features).toContain('network');
        expect(await rmb.request(n.twinId, 'zos.network.list_wg_ports')).toEqual([]);
      }
    } finally {
      await rmb.close();
      await chain.close();
    }
  });

  it('down leaves no process and no namespace; up again resumes the same twins and nodes', async () => {
    const before = status;
    // A chain write before down: the resumed chain must still hold it (its journal), not just a new genesis.
    const account = await Grid3Account.fromMnemonic(readFileSync(status.account.mnemonicFile, 'utf8').trim());
    const signed = connectDevnetChain({ url: status.chain, signer: account });
    const [made] = await signed.nodeContractsBatch([
      {
        kind: 'create',
        nodeId: status.nodes[0]!.nodeId,
        deploymentHash: '8568e3dfb18de8507824b6f7bfae9dca',
        deploymentData: '{"version":3,"type":"network","name":"resume","projectName":""}',
        publicIps: 0,
      },
    ]);
    const balance = await signed.balance(account.address);
    await signed.close();
    await ok('devnet', 'down');
    expect(devnetNamespaces()).toEqual([]);
    for (const pid of pidsOf(before)) expect(alive(pid)).toBe(false);
    const down = await readStatus();
    expect(down.running).toBe(false);

    await ok('devnet', 'up', '--grid', 'v3');
    status = await readStatus();
    expect(status.account).toEqual(before.account);
    expect(status.nodes).toEqual(before.nodes);
    expect([status.chain, status.gridproxy, status.relay]).toEqual([
      before.chain,
      before.gridproxy,
      before.relay,
    ]);
    const chain = connectDevnetChain({ url: status.chain });
    try {
      const c = await chain.contract(made!.contractId);
      expect(c).toMatchObject({ twinId: status.account.twinId, state: 'Created' });
      expect(await chain.balance(account.address)).toBe(balance);
      // …and gridproxy indexes it from the chain, as gridproxy follows the real one.
      const listed = (await (
        await fetch(`${status.gridproxy}/contracts?twin_id=${status.account.twinId}&type=node`)
      ).json()) as Array<{ contract_id: number; details: { nodeId: number } }>;
      expect(listed.map((x) => [x.contract_id, x.details.nodeId])).toEqual([
        [made!.contractId, status.nodes[0]!.nodeId],
      ]);
    } finally {
      await chain.close();
    }

    await ok('devnet', 'down', '--purge');
    expect(devnetNamespaces()).toEqual([]);
    for (const pid of pidsOf(status)) expect(alive(pid)).toBe(false);
    expect(spawnSync('pgrep', ['-f', `devnet-dir ${join(dataDir, 'devnet-v3')}`]).status).toBe(1);
  }, 90_000);
});
