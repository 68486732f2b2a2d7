/**
 * `devnet up --grid v3`: a local Grid v3 on this machine (root), on the v2 devnet's underlay (the same
 * namespaces and documentation addresses). Each part is a process of its own, spawned through the hidden
 * `devnet serve PART` command, as each is a service of its own on the grid: the chain stand-in, the
 * gridproxy stand-in indexing it, the relay checking tokens against it, and one node agent per node
 * configuring WireGuard in that node's namespace. The agents run in the host's namespace (like v2's): they
 * reach the relay on loopback as a node reaches the grid's relay over the internet, and act in the
 * node's namespace for what zos does on the node.
 *
 * The folder keeps the state (node twins' mnemonics, ports), the chain's journal, the agents' stored
 * deployments and the user's mnemonic, so `down` then `up` resumes the same grid; `down --purge` forgets it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { Grid3Account } from '../../core/grid3/account.js';
import { UserError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFile } from '../../core/store/private-files.js';
import { chainTwins } from '../../grid3/networks/chain-twins.js';
import { RmbClient } from '../../grid3/rmb/client.js';
import { connectDevnetChain } from '../../grid3/tfchain/devnet-client.js';
import { devnetDir, devnetUnavailable, readDevnet } from '../devnet.js';
import { namespaces } from '../host-commands.js';
import type { Topology } from '../topology.js';
import { createUnderlay, LAPTOP_NS, nodeNs, PREFIX } from '../underlay.js';
import { createVerifiedTwin } from './chain-admin.js';
import { devnetV3Down, devnetV3Running } from './devnet-v3-down.js';
import {
  chainAdminPath,
  chainUrl,
  devnetV3Dir,
  type DevnetV3Node,
  type DevnetV3State,
  gridproxyUrl,
  mnemonicPath,
  publicConfigOf,
  readDevnetV3,
  relayHost,
  relayUrl,
  saveDevnetV3,
} from './devnet-v3-state.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts `overlay-connect devnet serve …` in the background, logging to the devnet folder. */
function background(cli: string, dir: string, logName: string, args: string[]): number {
  const log = openSync(join(dir, logName), 'a', 0o600);
  const child = spawn(process.execPath, [cli, 'devnet', 'serve', ...args, '--devnet-dir', dir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  return child.pid!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new UserError(`The v3 devnet did not come up: ${what} (see the logs in the devnet folder)`);
}

const sameTopology = (t: Topology, nodes: DevnetV3Node[]) =>
  t.nodes.length === nodes.length &&
  t.nodes.every(
    (n, i) => n.name === nodes[i]!.name && n.kind === nodes[i]!.kind && n.farm === nodes[i]!.farm,
  );

export async function devnetV3Up(
  dataDir: string,
  topology: Topology | undefined,
  fallback: Topology,
  port: number | undefined,
  cli: string,
  say: (l: string) => void,
): Promise<DevnetV3State> {
  const why = devnetUnavailable();
  if (why) throw new UserError(why);
  const dir = devnetV3Dir(dataDir);
  ensurePrivateDir(dir);
  const prev = readDevnetV3(dir);
  if (devnetV3Running(prev)) throw new UserError('The v3 devnet is already up; devnet down first');
  const v2 = readDevnet(devnetDir(dataDir));
  if (v2?.running) throw new UserError(`The v2 devnet is up (explorer ${v2.explorer}): devnet down first`);
  const clash = namespaces().filter((n) => n.startsWith(`${PREFIX}-`));
  if (clash.length)
    throw new UserError(`Namespaces of another devnet exist (${clash.join(', ')}): run devnet down`);
  // The chain's journal names these twins and nodes: another topology needs a new chain.
  if (prev && topology && !sameTopology(topology, prev.nodes))
    throw new UserError('This devnet was made with another topology: devnet down --purge first');
  const topo = prev ? undefined : (topology ?? fallback);

  const nodes: DevnetV3Node[] =
    prev?.nodes ??
    (await Promise.all(
      topo!.nodes.map(async (t, i) => {
        const mnemonic = mnemonicGenerate();
        const acc = await Grid3Account.fromMnemonic(mnemonic);
        const node: DevnetV3Node = {
          ...t,
          index: i + 1,
          nodeId: 11 + i,
          twinId: 1 + i,
          namespace: nodeNs(t.name),
          mnemonic,
          address: acc.address,
          rmbPk: acc.rmbPublicKeyHex,
        };
        const pc = publicConfigOf(t.kind, i + 1);
        if (pc) node.publicConfig = pc;
        return node;
      }),
    ));
  // Ports are chosen once and kept: a resumed devnet answers where it did (logins, tunnels, configs).
  const ports =
    prev?.ports ??
    (port !== undefined
      ? { gridproxy: port, relay: port + 1, chain: port + 2 }
      : { gridproxy: await freePort(), relay: await freePort(), chain: await freePort() });

  const mnemonicFile = mnemonicPath(dir);
  if (!existsSync(mnemonicFile)) writePrivateFile(mnemonicFile, mnemonicGenerate() + '\n');
  const user = await Grid3Account.fromMnemonic(readFileSync(mnemonicFile, 'utf8').trim());

  const state: DevnetV3State = {
    grid: 'v3',
    ports,
    laptopNamespace: LAPTOP_NS,
    account: { ...prev?.account, address: user.address, mnemonicFile },
    nodes,
    pids: { agents: {} },
    running: true,
  };
  saveDevnetV3(dir, state);
  const chain = connectDevnetChain({ url: chainUrl(state) });
  let rmb: RmbClient | undefined;
  try {
    say('creating namespaces…');
    createUnderlay(nodes);

    rmSync(chainAdminPath(dir), { force: true });
    state.pids.chain = background(cli, dir, 'chain.log', ['chain']);
    saveDevnetV3(dir, state);
    say(`starting the chain on ${chainUrl(state)}…`);
    await waitFor('the chain does not answer', async () => {
      if (!existsSync(chainAdminPath(dir))) return false;
      return (await chain.twin(nodes[0]!.twinId)) !== null;
    });
    const admin = JSON.parse(readFileSync(chainAdminPath(dir), 'utf8')) as {
      url: string;
      adminToken: string;
    };

    state.pids.relay = background(cli, dir, 'relay.log', ['relay']);
    state.pids.gridproxy = background(cli, dir, 'gridproxy.log', ['gridproxy']);
    saveDevnetV3(dir, state);

    // The user's twin: funded, terms accepted, KYC verified, its RMB key and relay set (as the dashboard's
    // first login does). Made once; a resumed devnet finds it in the replayed journal.
    state.account.twinId =
      (await chain.twinByAccount(user.address)) ??
      (await createVerifiedTwin(admin, {
        account: user.address,
        relay: relayHost(state),
        pk: user.rmbPublicKeyHex,
      }));
    saveDevnetV3(dir, state);

    say(`starting the relay on ${relayUrl(state)} and gridproxy on ${gridproxyUrl(state)}…`);
    await waitFor('the relay does not answer', async () => {
      const res = await fetch(`http://${relayHost(state)}/`, { signal: AbortSignal.timeout(2000) });
      return res.status > 0;
    });

    say(`starting ${nodes.length} node agents…`);
    for (const n of nodes)
      state.pids.agents[n.name] = background(cli, dir, `agent-${n.name}.log`, ['agent', n.name]);
    saveDevnetV3(dir, state);

    await waitFor('gridproxy does not list every node up', async () => {
      const res = await fetch(`${gridproxyUrl(state)}/nodes?status=up&size=100`, {
        signal: AbortSignal.timeout(2000),
      });
      const list = (await res.json()) as Array<{ nodeId: number }>;
      return nodes.every((n) => list.some((x) => x.nodeId === n.nodeId));
    });

    // Every agent answers through the relay: the user's own path to a node.
    rmb = await RmbClient.connect({
      relayUrl: relayUrl(state),
      twinId: state.account.twinId,
      session: 'devnet-up',
      identity: user,
      twins: chainTwins(chain),
      timeoutMs: 3000,
      retries: 0,
    });
    for (const n of nodes) {
      await waitFor(`node ${n.nodeId} (${n.name}) does not answer over RMB`, async () => {
        await rmb!.request(n.twinId, 'zos.system.version', undefined, { timeoutMs: 3000, retries: 0 });
        return true;
      });
    }
  } catch (e) {
    await rmb?.close().catch(() => undefined);
    await chain.close().catch(() => undefined);
    await devnetV3Down(dataDir, false, () => undefined);
    throw e;
  }
  await rmb.close();
  await chain.close();
  return state;
}
