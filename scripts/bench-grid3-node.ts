/**
 * One node of the listing benchmark, in a process of its own as a real node is: a zos responder
 * (test/grid3/networks/harness.ts) on the bench grid's relay, answering `zos.deployment.get` after a set
 * delay. Its configuration (the grid's addresses, its spec, its throwaway account's mnemonic, the delay)
 * comes as one JSON line on stdin; it prints "ready", then runs until stdin closes.
 */
import { createInterface } from 'node:readline';
import { Grid3Account, grid3CryptoReady } from '../src/core/grid3/account.js';
import { chainTwins } from '../src/grid3/networks/chain-twins.js';
import { RmbClient } from '../src/grid3/rmb/client.js';
import { connectDevnetChain } from '../src/grid3/tfchain/devnet-client.js';
import { ZosResponder, type NodeSpec } from '../test/grid3/networks/harness.js';

const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once('line', resolve));
const o = JSON.parse(first) as {
  relay: string;
  chain: string;
  spec: NodeSpec;
  mnemonic: string;
  delayMs: number;
};
await grid3CryptoReady();
const chain = connectDevnetChain({ url: o.chain });
const rmb = await RmbClient.connect({
  relayUrl: o.relay,
  twinId: o.spec.twinId,
  identity: await Grid3Account.fromMnemonic(o.mnemonic),
  twins: chainTwins(chain),
  pingIntervalMs: 0,
});
new ZosResponder(o.spec, chain, rmb).getDelayMs = o.delayMs;
console.log('ready');
lines.once('close', () => void Promise.all([rmb.close(), chain.close()]).then(() => process.exit(0)));
