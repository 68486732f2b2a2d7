/**
 * Benchmarks, printed as ratios measured in one run (absolute times drift on these machines).
 *   store:   the lock's cost on one import; open + unlock with a passphrase.
 *   startup: `overlay-connect --help` and `tunnel list` against a bare `node -e 0`, all run side by side.
 *   grid3:   planning a 50-node v3 network against its X25519 floor; listing 20 networks of 5 nodes over
 *            RMB against the slowest node's reply (scripts/bench-grid3.ts).
 *   tunnels: service `up` vs raw `wg-quick up` of the same file; time to first handshake; CPU cost of one
 *            status refresh for 10 tunnels, and how many processes it spawned.
 * Needs root and wireguard-tools + wireguard-go (namespaces); says so and skips otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Keyring } from '../src/core/store/keyring.js';
import { openNodeStore } from '../src/core/store/open-node-store.js';
import { passphraseSlot } from '../src/core/store/passphrase-slot.js';
import { adapterFor } from '../src/core/tunnels/platform-adapters.js';
import { directRunner, type CommandRunner } from '../src/core/tunnels/runner.js';
import { findTools } from '../src/core/tunnels/tool-paths.js';
import { WgQuickDriver } from '../src/core/tunnels/wg-quick-driver.js';
import { TunnelService } from '../src/core/tunnels/tunnel-service.js';
import { TunnelStore } from '../src/core/tunnels/tunnel-store.js';
import { generateKeyPair } from '../src/core/wgconf/keys.js';
import { linkPair, Netns, netnsUnavailable } from '../test/support/netns.js';
import { startHelperProcess } from '../test/support/helper-process.js';
import { rootOnlyTempDir } from '../test/support/root-dir.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/ui-host.js';

/**
 * Planning a full network — 246 nodes + 8 accesses, the 254 /24s a /16 offers (254 nodes *and* 8 accesses
 * do not fit: each takes its own /24) — (NR keys, sealed keys, peers) against the floor: the same
 * number of X25519 operations on Node's native crypto. Then peers-only re-planning of that network.
 */
async function benchPlanning(): Promise<import('../src/core/overlay/model.js').NetworkRecord> {
  const { newIdentity, nodeIdOf, toHex } = await import('../src/core/crypto/identity-keys.js');
  const { addAccess, addNode, createNetwork } = await import('../src/core/overlay/planner.js');
  const { networkResources } = await import('../src/core/overlay/mesh.js');
  const { generateKeyPairSync, diffieHellman } = await import('node:crypto');
  const { loadSodium } = await import('../src/core/crypto/sodium.js');
  await loadSodium();
  const kinds = ['public', 'public', 'ipv6-only', 'hidden'] as const;
  const NODES = 246;
  const grid = Array.from({ length: NODES }, (_, i) => {
    const id = newIdentity();
    const kind = kinds[i % 4]!;
    const v4 = `198.51.${100 + (i >> 8)}.${i & 255}`;
    const v6 = `2001:db8::${i.toString(16)}`;
    const addrs =
      kind === 'public' ? [`${v4}/24`, `${v6}/64`] : kind === 'ipv6-only' ? [`${v6}/64`] : ['192.168.1.2/24'];
    return {
      node_id: nodeIdOf(id.publicKey),
      public_key_hex: toHex(id.publicKey),
      wg_ports: [],
      ifaces: [{ name: 'zos', addrs }],
      public_config: null,
    };
  });
  const runPlan = async () => {
    let net = createNetwork('bench', '10.40.0.0/16');
    for (const node of grid) net = await addNode(net, node);
    for (let a = 0; a < 8; a++)
      net = addAccess(net, net.nodes[a * 4]!.nodeId, { family: 4, tunnelName: `b${a}` }).network;
    networkResources(net);
    return net;
  };
  // 3 X25519 operations per node (its key pair, the sealed box's ephemeral key pair and shared secret), 1 per access.
  const ops = NODES * 3 + 8;
  // The floor is the bare operations on ready KeyObjects: no import, no export, no encoding.
  const runFloor = () => {
    const peer = generateKeyPairSync('x25519');
    for (let i = 0; i < ops; i++) {
      if (i % 3 === 2) diffieHellman({ privateKey: peer.privateKey, publicKey: peer.publicKey });
      else generateKeyPairSync('x25519');
    }
  };
  await runPlan();
  runFloor();
  const plans: number[] = [];
  const floors: number[] = [];
  let net = await runPlan();
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    net = await runPlan();
    plans.push(performance.now() - t);
    t = performance.now();
    runFloor();
    floors.push(performance.now() - t);
  }
  console.log(
    `plan ${NODES} nodes + 8 accesses (all 254 /24s): ${fmt(median(plans))} vs floor of ${ops} native X25519 operations ${fmt(median(floors))} → ratio ${(median(plans) / median(floors)).toFixed(2)} (goal ≤ 2)`,
  );
  // Part of the plan is no X25519 operation at all: libsodium's ed25519 → curve25519 conversion of each
  // node key, which validates the point (subgroup check) before anything is sealed to it.
  const sodium = await loadSodium();
  const convs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    for (const n of grid) sodium.crypto_sign_ed25519_pk_to_curve25519(Buffer.from(n.public_key_hex, 'hex'));
    convs.push(performance.now() - t);
  }
  console.log(
    `  of which ed25519→curve25519 conversions (libsodium, with point validation): ${fmt(median(convs))}; plan without them → ratio ${((median(plans) - median(convs)) / median(floors)).toFixed(2)}`,
  );
  const replans: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    networkResources(net);
    replans.push(performance.now() - t);
  }
  console.log(`peers-only re-plan of that network: ${fmt(median(replans))} (goal ≤ 50 ms)`);
  return net;
}

/** The tray template for 50 tunnels, and the window rendering a full network in real Chromium. */
async function benchUi(net: import('../src/core/overlay/model.js').NetworkRecord): Promise<void> {
  const { trayTemplate } = await import('../src/app/tray-template.js');
  const tunnels = Array.from({ length: 50 }, (_, i) => ({
    name: `tunnel-${i}`,
    state: (['up', 'down', 'connecting', 'error'] as const)[i % 4]!,
  }));
  trayTemplate(tunnels);
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) trayTemplate(tunnels);
  console.log(`tray template, 50 tunnels: ${fmt((performance.now() - t0) / 1000)} per build (goal ≤ 5 ms)`);

  const { existsSync } = await import('node:fs');
  if (!existsSync(CHROMIUM)) return console.log(`network view: SKIPPED (${CHROMIUM} not installed)`);
  const { chromium } = await import('@playwright/test');
  const { composeApp } = await import('../src/app/compose.js');
  const { UiServer } = await import('../src/web/ui-server.js');
  const dir = mkdtempSync(join(tmpdir(), 'oc-bench-ui-'));
  const store = openNodeStore(dir);
  store.update((d) => {
    d.networks[net.name] = net;
  });
  const tools = findTools();
  const driver = new WgQuickDriver({
    runDir: join(dir, 'run'),
    tools,
    adapter: adapterFor('linux', tools),
    runner: directRunner,
  });
  const app = composeApp({
    store,
    slots: [passphraseSlot(async () => 'bench')],
    driver,
    exportConfig: async () => null,
  });
  const server = new UiServer({
    handlers: app.handlers,
    onEvent: app.onEvent,
    rendererDir: join(process.cwd(), 'dist', 'renderer'),
  });
  const url = await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.click('nav [data-tab="networks"]');
    const button = page.getByRole('button', { name: new RegExp(`^${net.name} `) });
    await button.waitFor();
    // Timed inside the page: Playwright's click and waits would add their polling to an outside timing.
    await button.click();
    await page.locator('svg.topology').waitFor();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Passed as text: tsx's transform would otherwise add helpers that do not exist in the page.
      times.push(
        (await page.evaluate(`(async (name) => {
        const detail = document.getElementById('network-detail');
        detail.replaceChildren();
        const b = [...document.querySelectorAll('#networks button')].find((x) => x.textContent.startsWith(name + ' '));
        const t = performance.now();
        b.click();
        await new Promise((r) => { const check = () => (detail.querySelector('svg.topology') ? r() : requestAnimationFrame(check)); check(); });
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        return performance.now() - t;
      })(${JSON.stringify(net.name)})`)) as number,
      );
    }
    console.log(
      `network view, ${net.nodes.length} nodes: ${fmt(median(times))} from click to painted diagram, contract call included (goal ≤ 100 ms)`,
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function benchTunnels(): Promise<void> {
  const why = netnsUnavailable();
  if (why) {
    console.log(`tunnels: SKIPPED (${why})`);
    return;
  }
  const tag = String(process.pid % 1e5);
  const dir = mkdtempSync(join(tmpdir(), 'oc-bench-'));
  const peerNs = new Netns('bpeer');
  const lapNs = new Netns('blap');
  try {
    linkPair(peerNs, lapNs, ['198.51.100.1/24'], ['198.51.100.2/24'], tag);
    const peer = generateKeyPair();
    const laptop = generateKeyPair();
    const peerConf = join(dir, `bp${tag}.conf`);
    writeFileSync(
      peerConf,
      `[Interface]\nPrivateKey = ${peer.privateKey}\nListenPort = 51820\nAddress = 10.99.0.1/24\n[Peer]\nPublicKey = ${laptop.publicKey}\nAllowedIPs = 10.99.0.2/32\n`,
      { mode: 0o600 },
    );
    peerNs.must('wg-quick', 'up', peerConf);

    const store = openNodeStore(join(dir, 'data'));
    const tunnels = new TunnelStore(store, new Keyring(store, [passphraseSlot(async () => 'bench')]));
    const tools = findTools();
    let spawned = 0;
    const counting: CommandRunner = (cmd) => {
      spawned++;
      return directRunner(cmd);
    };
    const service = new TunnelService({
      tunnels,
      driver: new WgQuickDriver({
        runDir: join(dir, 'data', 'run'),
        tools,
        adapter: adapterFor('linux', tools),
        runner: directRunner,
        queryRunner: counting,
      }),
    });
    const laptopText = (i: number, keys = laptop) =>
      `[Interface]\nPrivateKey = ${keys.privateKey}\nAddress = 10.${99 - i}.0.2/24\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.${99 - i}.0.0/24\n`;
    const name = `bt${tag}`;
    await tunnels.importText(laptopText(0), { name });
    const rawFile = join(dir, `br${tag}.conf`);
    writeFileSync(rawFile, await tunnels.wgQuickText(name), { mode: 0o600 });

    // Warm up both paths once (page cache, keyring unlock), then interleave to share the machine's noise.
    await service.up(name, { netns: lapNs.name });
    await service.down(name);
    lapNs.must('wg-quick', 'up', rawFile);
    lapNs.must('wg-quick', 'down', rawFile);
    const ours: number[] = [];
    const raw: number[] = [];

    const viaService = async () => {
      const t = performance.now();
      await service.up(name, { netns: lapNs.name });
      ours.push(performance.now() - t);
      await service.down(name);
    };
    const viaWgQuick = () => {
      const t = performance.now();
      lapNs.must('wg-quick', 'up', rawFile);
      raw.push(performance.now() - t);
      lapNs.must('wg-quick', 'down', rawFile);
    };
    // ABBA order, so that neither side always runs right after the other's teardown.
    for (let i = 0; i < 14; i++) {
      if (i % 2 === 0) {
        await viaService();
        viaWgQuick();
      } else {
        viaWgQuick();
        await viaService();
      }
    }
    console.log(
      `tunnel up: service ${fmt(median(ours))} vs raw wg-quick up ${fmt(median(raw))} (medians of ${ours.length}, same namespace, same file) → ratio ${(median(ours) / median(raw)).toFixed(3)} (goal ≤ 1.1)`,
    );

    // Time to first handshake: from the start of `up` until wg reports one (a ping starts the exchange).
    const t0 = performance.now();
    await service.up(name, { netns: lapNs.name });
    lapNs.run('ping', ['-c', '1', '-W', '1', '10.99.0.1']);
    let handshakeMs = NaN;
    for (let i = 0; i < 200; i++) {
      const s = (await service.refresh({ forceHandshakes: true })).find((x) => x.name === name)!;
      if (s.latestHandshake) {
        handshakeMs = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(
      `time to first handshake: ${fmt(handshakeMs)} from the start of up (up itself ${fmt(median(ours))})`,
    );
    await service.down(name);

    // Status refresh for 10 tunnels that are up: the steady-state cost of one poll.
    for (let i = 0; i < 10; i++) {
      await tunnels.importText(laptopText(i + 1, generateKeyPair()), { name: `${name}x${i}` });
      await service.up(`${name}x${i}`, { netns: lapNs.name });
    }
    await service.refresh({ forceHandshakes: true });
    spawned = 0;
    const rounds = 500;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < rounds; i++) await service.refresh();
    const wall = (performance.now() - w0) / rounds;
    const cpu = process.cpuUsage(cpu0);
    const up = service.statuses().filter((s) => s.rxBytes !== null).length;
    console.log(
      `status refresh, ${up} tunnels up: ${fmt((cpu.user + cpu.system) / 1000 / rounds)} CPU, ${fmt(wall)} wall per refresh; processes spawned in ${rounds} refreshes: ${spawned} (goal: 0, ≤ 2 ms)`,
    );
    for (let i = 0; i < 10; i++) await service.down(`${name}x${i}`);
    await benchHelper({
      dir,
      lapNs,
      tunnels,
      name,
      rawFile,
      extra: Array.from({ length: 10 }, (_, i) => `${name}x${i}`),
    });
  } finally {
    peerNs.destroy();
    lapNs.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The privileged helper: connect through its socket (a TunnelService over HelperDriver, as the app and the
 * CLI use it) against a raw `wg-quick up` of the same file in the same namespace; then the helper's own CPU
 * and memory while 10 tunnels are up for 60 s and a client asks for their status once a second, as the
 * open window does.
 */
async function benchHelper(o: {
  dir: string;
  lapNs: Netns;
  tunnels: TunnelStore;
  name: string;
  rawFile: string;
  extra: string[];
}): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { HelperClient, HelperDriver } = await import('../src/helper/client.js');
  // The helper binds and keeps its files only in folders only root can change.
  const hdir = rootOnlyTempDir('oc-bench-helper-');
  const sock = join(hdir, 'helper', 'helper.sock');
  // As the installed unit runs it: V8's lite mode (no optimizing compiler) keeps an idle helper small.
  const started = await startHelperProcess({
    socket: sock,
    group: 'root',
    netns: o.lapNs.name,
    runDir: join(hdir, 'helper-run'),
    nodeFlags: (process.env.BENCH_HELPER_NODE_FLAGS ?? '--lite-mode').split(' ').filter(Boolean),
  });
  const helper = started.child;
  try {
    const client = await HelperClient.connect(sock);
    const service = new TunnelService({ tunnels: o.tunnels, driver: new HelperDriver(client) });
    const ours: number[] = [];
    const raw: number[] = [];
    const viaHelper = async () => {
      const t = performance.now();
      await service.up(o.name);
      ours.push(performance.now() - t);
      await service.down(o.name);
    };
    const viaWgQuick = () => {
      const t = performance.now();
      o.lapNs.must('wg-quick', 'up', o.rawFile);
      raw.push(performance.now() - t);
      o.lapNs.must('wg-quick', 'down', o.rawFile);
    };
    await viaHelper(); // warm-up: the helper's first parse and the keyring
    ours.length = 0;
    for (let i = 0; i < 24; i++) {
      if (i % 2 === 0) {
        await viaHelper();
        viaWgQuick();
      } else {
        viaWgQuick();
        await viaHelper();
      }
    }
    console.log(
      `connect through the helper (one round trip: the overlap check goes with up, the links come back in its reply): ${fmt(median(ours))} vs raw wg-quick up ${fmt(median(raw))} (medians of ${ours.length}, interleaved, same namespace) → ratio ${(median(ours) / median(raw)).toFixed(3)} (goal ≤ 1.05)`,
    );

    for (const n of o.extra) await service.up(n);
    const ticks = () => {
      const f = readFileSync(`/proc/${helper.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 per second)
    };
    const t0 = ticks();
    const w0 = performance.now();
    let rssKb = 0;
    while (performance.now() - w0 < Number(process.env.BENCH_HELPER_MS ?? 60_000)) {
      await service.refresh();
      rssKb = Math.max(
        rssKb,
        Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${helper.pid}/status`, 'utf8'))![1]),
      );
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cpuS = (ticks() - t0) / 100;
    const wallS = (performance.now() - w0) / 1000;
    const up = service.statuses().filter((s) => s.state === 'up').length;
    console.log(
      `helper with ${up} tunnels up for ${wallS.toFixed(0)} s, status asked once a second: ${((cpuS / wallS) * 100).toFixed(2)} % of a core, ${(rssKb / 1024).toFixed(1)} MB RSS at most (goal < 0.5 %, < 60 MB under Node)`,
    );
    for (const n of o.extra) await service.down(n);
    client.close();
  } finally {
    started.stop();
    rmSync(hdir, { recursive: true, force: true });
  }
}

/**
 * The store: what the cross-process lock adds to one import (the lock taken and released around nothing,
 * against a whole import), and opening the store plus unlocking it with a passphrase at the product's
 * scrypt cost (its share: scrypt alone).
 */
async function benchStore(): Promise<void> {
  const { withFileLock } = await import('../src/core/store/file-lock.js');
  const { SCRYPT_NEW } = await import('../src/core/store/key-slots.js');
  const { deriveKey, newScryptParams } = await import('../src/core/store/passphrase-slot.js');
  const dir = mkdtempSync(join(tmpdir(), 'oc-bench-store-'));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = async (fn: () => unknown) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  try {
    const store = openNodeStore(join(dir, 'data'));
    const tunnels = new TunnelStore(store, new Keyring(store, [passphraseSlot(async () => 'bench')]));
    const peer = generateKeyPair().publicKey;
    const config = () =>
      `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.3.0.2/24\n[Peer]\nPublicKey = ${peer}\nAllowedIPs = 10.3.0.0/24\n`;
    await tunnels.importText(config(), { name: 'warm' }); // unlock once, outside the timings
    const imports: number[] = [];
    const locks: number[] = [];
    for (let i = 0; i < 200; i++) {
      imports.push(await time(() => tunnels.importText(config(), { name: `t${i}` })));
      locks.push(await time(() => withFileLock(`${store.path}.lock`, () => undefined)));
    }
    const lock = median(locks);
    const imp = median(imports);
    console.log(
      `store lock on one import: ${lock.toFixed(3)} ms median (goal ≤ 5 ms) = ${((lock / imp) * 100).toFixed(1)} % of a whole import (${imp.toFixed(2)} ms median, 200 imports into a growing store)`,
    );
    const opens: number[] = [];
    const kdfs: number[] = [];
    for (let i = 0; i < 5; i++) {
      opens.push(
        await time(async () => {
          const s = openNodeStore(join(dir, 'data'));
          await new Keyring(s, [passphraseSlot(async () => 'bench')]).unlock();
        }),
      );
      kdfs.push(await time(() => deriveKey('bench', newScryptParams())));
    }
    console.log(
      `open + unlock with a passphrase (scrypt N=2^${Math.log2(SCRYPT_NEW.N)}, r=${SCRYPT_NEW.r}, p=${SCRYPT_NEW.p}; 201 tunnels): ${median(opens).toFixed(0)} ms median of 5 (goal ≤ 250 ms); scrypt alone ${median(kdfs).toFixed(0)} ms = ${((median(kdfs) / median(opens)) * 100).toFixed(0)} % of it`,
    );
    // N passphrase slots, unlocked by the last slot's passphrase (the worst case: every slot's KDF runs),
    // against one KDF measured beside it. Slots run side by side, as many at once as there are cores.
    for (const n of [1, 2, 3, 4]) {
      const slotDir = join(dir, `slots-${n}`);
      const made = new Keyring(openNodeStore(slotDir), [passphraseSlot(async () => 'p1')]);
      await made.seal('bench', 'x');
      for (let k = 2; k <= n; k++) await made.addSlot(passphraseSlot(async () => `p${k}`));
      if (made.slots().length !== n) throw new Error(`expected ${n} slots, got ${made.slots().length}`);
      const unlocks: number[] = [];
      const ones: number[] = [];
      for (let i = 0; i < 3; i++) {
        unlocks.push(
          await time(() =>
            new Keyring(openNodeStore(slotDir), [passphraseSlot(async () => `p${n}`)]).unlock(),
          ),
        );
        ones.push(await time(() => deriveKey('bench', newScryptParams())));
      }
      console.log(
        `unlock with ${n} passphrase slot${n > 1 ? 's' : ''}, by the last one's passphrase: ${median(unlocks).toFixed(0)} ms median of 3 = ${(median(unlocks) / median(ones)).toFixed(2)} × one KDF (${median(ones).toFixed(0)} ms; goal ≤ ${n} KDFs, plus opening the store and its AEAD, about 0.1 here)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * CLI start-up: `overlay-connect --help` and `tunnel list` (a store holding one tunnel) as a user runs them,
 * through bin/overlay-connect.js, each against a bare `node -e 0`: the three interleaved, so that load on
 * the machine hits them alike; medians of 8 after one warm-up round.
 */
async function benchStartup(): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const bin = join(import.meta.dirname, '..', 'bin', 'overlay-connect.js');
  const dir = mkdtempSync(join(tmpdir(), 'oc-bench-startup-'));
  const env = { ...process.env, OVERLAY_CONNECT_PASSPHRASE: 'bench' };
  const run = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return ms;
  };
  try {
    const conf = join(dir, 'bench.conf');
    writeFileSync(
      conf,
      `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.3.0.2/24\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 10.3.0.0/24\n`,
    );
    const data = join(dir, 'data');
    run([bin, 'tunnel', 'import', conf, '--data-dir', data]);
    const cases = {
      node: ['-e', '0'],
      help: [bin, '--help'],
      list: [bin, 'tunnel', 'list', '--data-dir', data],
    };
    const times = { node: [] as number[], help: [] as number[], list: [] as number[] };
    for (let i = 0; i < 9; i++)
      for (const [k, args] of Object.entries(cases)) {
        const ms = run(args);
        if (i > 0) times[k as keyof typeof times].push(ms);
      }
    const [node, help, list] = [median(times.node), median(times.help), median(times.list)];
    console.log(
      `CLI start-up, medians of 8: --help ${fmt(help)} → ratio ${(help / node).toFixed(2)}, tunnel list ${fmt(list)} → ratio ${(list / node).toFixed(2)}, against node -e 0 ${fmt(node)} (goal ≤ 1.5 each)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run bench -- tunnels` (or planning, ui, store, startup) runs one part only.
const only = process.argv[2];
if (!only || only === 'store') await benchStore();
if (!only || only === 'planning' || only === 'ui') {
  const planned = await benchPlanning();
  if (!only || only === 'ui') await benchUi(planned);
}
if (!only || only === 'tunnels') await benchTunnels();
if (!only || only === 'startup') await benchStartup();
if (!only || only === 'grid3') {
  const grid3 = await import('./bench-grid3.js');
  await grid3.benchGrid3Planning();
  await grid3.benchGrid3Listing();
}
