/**
 * The listing benchmark's grid, in a process of its own: relay, chain and gridproxy stand-ins
 * (test/grid3/networks/harness.ts) whose nodes run elsewhere (scripts/bench-grid3-node.ts). The accounts
 * (throwaway mnemonics the bench made) and the node specs come as one JSON line on stdin; it prints the
 * addresses as one JSON line, then runs until stdin closes.
 */
import { createInterface } from 'node:readline';
import { startGrid, type NodeSpec } from '../test/grid3/networks/harness.js';

const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once('line', resolve));
const o = JSON.parse(first) as { specs: NodeSpec[]; userMnemonic: string; nodeMnemonics: string[] };
const grid = await startGrid(o.specs, {
  userMnemonic: o.userMnemonic,
  nodeMnemonics: o.nodeMnemonics,
  externalNodes: true,
});
console.log(
  JSON.stringify({
    relay: grid.relay.url,
    gridproxy: grid.gridproxy.url,
    chain: grid.chain.url,
    userTwin: grid.userTwin,
  }),
);
lines.once('close', () => void grid.close().then(() => process.exit(0)));
