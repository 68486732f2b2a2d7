/**
 * Benchmarks, printed as ratios measured in one run (absolute times drift on these machines).
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
import { passphraseProvider } from '../src/core/store/passphrase-provider.js';
import { adapterFor } from '../src/core/tunnels/platform-adapters.js';
import { directRunner, type CommandRunner } from '../src/core/tunnels/runner.js';
import { findTools } from '../src/core/tunnels/tool-paths.js';
import { TunnelService } from '../src/core/tunnels/tunnel-service.js';
import { TunnelStore } from '../src/core/tunnels/tunnel-store.js';
import { generateKeyPair } from '../src/core/wgconf/keys.js';
import { linkPair, Netns, netnsUnavailable } from '../test/support/netns.js';

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
    writeFileSync(peerConf, `[Interface]\nPrivateKey = ${peer.privateKey}\nListenPort = 51820\nAddress = 10.99.0.1/24\n[Peer]\nPublicKey = ${laptop.publicKey}\nAllowedIPs = 10.99.0.2/32\n`, { mode: 0o600 });
    peerNs.must('wg-quick', 'up', peerConf);

    const store = openNodeStore(join(dir, 'data'));
    const tunnels = new TunnelStore(store, new Keyring(store, passphraseProvider(async () => 'bench')));
    const tools = findTools();
    let spawned = 0;
    const counting: CommandRunner = (cmd) => {
      spawned++;
      return directRunner(cmd);
    };
    const service = new TunnelService({ tunnels, runDir: join(dir, 'data', 'run'), tools, adapter: adapterFor('linux', tools), runner: directRunner, queryRunner: counting });
    const laptopText = (i: number, keys = laptop) => `[Interface]\nPrivateKey = ${keys.privateKey}\nAddress = 10.${99 - i}.0.2/24\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.${99 - i}.0.0/24\n`;
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
    console.log(`tunnel up: service ${fmt(median(ours))} vs raw wg-quick up ${fmt(median(raw))} (medians of ${ours.length}, same namespace, same file) → ratio ${(median(ours) / median(raw)).toFixed(3)} (goal ≤ 1.1)`);

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
    console.log(`time to first handshake: ${fmt(handshakeMs)} from the start of up (up itself ${fmt(median(ours))})`);
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
    console.log(`status refresh, ${up} tunnels up: ${fmt((cpu.user + cpu.system) / 1000 / rounds)} CPU, ${fmt(wall)} wall per refresh; processes spawned in ${rounds} refreshes: ${spawned} (goal: 0, ≤ 2 ms)`);
    for (let i = 0; i < 10; i++) await service.down(`${name}x${i}`);
  } finally {
    peerNs.destroy();
    lapNs.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchTunnels();
