/**
 * Grid v3 benchmarks (`npm run bench -- grid3`), as ratios measured in one run:
 *   planning a 50-node v3 network from scratch against its floor, the X25519 work it cannot avoid (one
 *   key pair per node and per access, on Node's native crypto); listing networks over RMB (below).
 */
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { planNetwork } from '../src/core/grid3/network-plan.js';
import { syntheticNetworkInput } from '../src/core/grid3/network-plan-bench.js';
import { generateWgKeyPair } from '../src/core/grid3/wg-keys.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** The synthetic network (seeded ports and choices) with fresh native keys, as a real plan makes them. */
function plan(nodes: number, seed: number) {
  const input = syntheticNetworkInput(nodes, seed);
  const seeded = input.random!;
  return planNetwork({ ...input, random: { ...seeded, keyPair: generateWgKeyPair } });
}

export async function benchGrid3Planning(nodes = 50): Promise<void> {
  const input = syntheticNetworkInput(nodes);
  const keys = input.nodes.length + (input.addAccesses?.length ?? 0);
  const floor = () => {
    for (let i = 0; i < keys; i++) generateKeyPairSync('x25519');
  };
  plan(nodes, 1); // warm: the first run compiles the code paths
  floor();
  const plans: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < 9; i++) {
    let t = performance.now();
    plan(nodes, i + 2);
    plans.push(performance.now() - t);
    t = performance.now();
    floor();
    floors.push(performance.now() - t);
  }
  console.log(
    `v3 plan of ${nodes} nodes + 1 access: ${fmt(median(plans))} vs floor of ${keys} native X25519 key pairs ${fmt(median(floors))} → ratio ${(median(plans) / median(floors)).toFixed(2)}`,
  );
}

/**
 * Listing 20 networks of 5 nodes each through RMB, every part in a process of its own as on the grid: the
 * relay, chain and gridproxy stand-ins (scripts/bench-grid3-grid.ts) and each node
 * (scripts/bench-grid3-node.ts, a zos responder answering `zos.deployment.get` after 40·i ms, the slowest
 * 200 ms). Against the slowest node's own reply measured alone: requests go out in parallel, so the goal
 * is that slowest reply + 10 %.
 */
export async function benchGrid3Listing(): Promise<void> {
  const { spawn } = await import('node:child_process');
  const { mnemonicGenerate } = await import('@polkadot/util-crypto');
  const { Grid3Account, grid3CryptoReady } = await import('../src/core/grid3/account.js');
  const { createNetwork, listNetworks, chainTwins } = await import('../src/grid3/networks/index.js');
  const { Gridproxy } = await import('../src/grid3/gridproxy.js');
  const { RmbClient } = await import('../src/grid3/rmb/client.js');
  const { connectDevnetChain } = await import('../src/grid3/tfchain/devnet-client.js');
  await grid3CryptoReady();
  const specs = [1, 2, 3, 4, 5].map((i) => ({
    id: 10 + i,
    twinId: 1000 + i,
    ipv4: `185.69.166.${10 + i}/24`,
    ipv6: `2a02:1802:5e:0:1::${10 + i}/64`,
  }));
  // Throwaway accounts, handed to the other processes on their stdin (never argv).
  const userMnemonic = mnemonicGenerate();
  const nodeMnemonics = specs.map(() => mnemonicGenerate());
  const children: ReturnType<typeof spawn>[] = [];
  const start = async (script: string, config: unknown): Promise<string> => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    child.stdin!.write(`${JSON.stringify(config)}\n`);
    return new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    });
  };
  try {
    const g = JSON.parse(
      await start('scripts/bench-grid3-grid.ts', { specs, userMnemonic, nodeMnemonics }),
    ) as {
      relay: string;
      gridproxy: string;
      chain: string;
      userTwin: number;
    };
    await Promise.all(
      specs.map((spec, i) =>
        start('scripts/bench-grid3-node.ts', {
          relay: g.relay,
          chain: g.chain,
          spec,
          mnemonic: nodeMnemonics[i],
          delayMs: 40 * (i + 1),
        }),
      ),
    );
    const account = await Grid3Account.fromMnemonic(userMnemonic);
    const chain = connectDevnetChain({ url: g.chain, signer: account });
    const rmb = await RmbClient.connect({
      relayUrl: g.relay,
      twinId: g.userTwin,
      identity: account,
      twins: chainTwins(chain),
      pingIntervalMs: 0,
      // Its own session: the grid process's harness client holds the twin's default one (the relay
      // routes replies by session, and two clients on one session take it from each other).
      session: 'bench',
    });
    const ctx = {
      account,
      twinId: g.userTwin,
      chain,
      proxy: new Gridproxy({ url: g.gridproxy }),
      rmb,
      isMine: () => false,
      nodeTwin: async (id: number) => specs.find((s) => s.id === id)?.twinId ?? null,
      rmbTimeoutMs: 20_000,
      pollMs: 50,
    };
    try {
      for (let n = 0; n < 20; n++) {
        await createNetwork(ctx, {
          name: `bench${n}`,
          ipRange: `10.${100 + n}.0.0/16`,
          nodeIds: specs.map((s) => s.id),
          accessNodeId: 11,
        });
      }
      const first = await listNetworks(ctx);
      const contract = first.networks[0]!.nodes.find((x) => x.nodeId === 15)!.contractId;
      const lists: number[] = [];
      const slowest: number[] = [];
      for (let i = 0; i < 7; i++) {
        let t = performance.now();
        const r = await listNetworks(ctx);
        lists.push(performance.now() - t);
        if (r.networks.length !== 20 || r.networks.some((x) => x.nodes.length !== 5))
          throw new Error(`listed ${r.networks.length} networks, not 20 of 5 nodes`);
        t = performance.now();
        await rmb.request(1005, 'zos.deployment.get', { contract_id: contract });
        slowest.push(performance.now() - t);
      }
      console.log(
        `list 20 networks × 5 nodes (100 deployments over RMB; relay, chain, gridproxy and each node a process): ${fmt(median(lists))} vs the slowest node's one reply ${fmt(median(slowest))} → ratio ${(median(lists) / median(slowest)).toFixed(2)} (goal ≤ 1.1)`,
      );
    } finally {
      await rmb.close();
      await chain.close();
    }
  } finally {
    for (const c of children) c.stdin!.end();
  }
}
