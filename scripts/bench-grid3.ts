/**
 * Grid v3 benchmarks (`npm run bench -- grid3`), as ratios measured in one run:
 *   planning a 50-node v3 network from scratch against its floor, the X25519 work it cannot avoid (one
 *   public key derived per node and per access, on Node's native crypto).
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
