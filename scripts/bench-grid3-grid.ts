/**
 * The loopback grid of the listing benchmark, in a process of its own (as nodes are not the client's):
 * relay, chain and gridproxy stand-ins and five zos responders (test/grid3/networks/harness.ts), with 20
 * networks of 5 nodes created on it and each node's `zos.deployment.get` delayed (node i: 40·i ms).
 * Prints one JSON line with the addresses, then runs until its stdin closes.
 * Argument: the user's mnemonic (a fresh one the bench made; never a real account's).
 */
import { startGrid } from '../test/grid3/networks/harness.js';
import { createNetwork } from '../src/grid3/networks/index.js';

const specs = [1, 2, 3, 4, 5].map((i) => ({
  id: 10 + i,
  twinId: 1000 + i,
  ipv4: `185.69.166.${10 + i}/24`,
  ipv6: `2a02:1802:5e:0:1::${10 + i}/64`,
}));
const grid = await startGrid(specs, { userMnemonic: process.argv[2] });
for (let n = 0; n < 20; n++) {
  await createNetwork(grid.context(), {
    name: `bench${n}`,
    ipRange: `10.${100 + n}.0.0/16`,
    nodeIds: specs.map((s) => s.id),
    accessNodeId: 11,
  });
}
for (const [i, s] of specs.entries()) grid.nodes.get(s.id)!.getDelayMs = 40 * (i + 1);
console.log(
  JSON.stringify({
    relay: grid.relay.url,
    gridproxy: grid.gridproxy.url,
    chain: grid.chain.url,
    userTwin: grid.userTwin,
    nodeTwins: Object.fromEntries(grid.nodeTwins),
  }),
);
process.stdin.resume();
process.stdin.on('end', () => void grid.close().then(() => process.exit(0)));
