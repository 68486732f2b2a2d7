/**
 * The v3 devnet's parts, each run by `devnet serve PART` in a process of its own, as on the grid: the
 * chain, gridproxy, the relay and each node agent reach one another only over loopback, through the same
 * interfaces a client uses (the Chain interface over HTTP, RMB through the relay), never through shared
 * memory. Everything a part needs comes from the devnet folder (the 0600 state), so no secret is on a
 * command line.
 */
import { rmSync } from 'node:fs';
import { Grid3Account } from '../../core/grid3/account.js';
import { UserError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFile } from '../../core/store/private-files.js';
import { chainTwins } from '../../grid3/networks/chain-twins.js';
import { connectDevnetChain } from '../../grid3/tfchain/devnet-client.js';
import { kycVerified } from './chain-admin.js';
import { startChain } from './chain-server.js';
import {
  agentDir,
  chainAdminPath,
  chainUrl,
  genesisOf,
  journalPath,
  readDevnetV3,
  relayUrl,
  servePidAlive,
  sourceNodes,
} from './devnet-v3-state.js';
import { journalChain, replayJournal } from './devnet-v3-journal.js';
import { startGridproxy } from './gridproxy-server.js';
import { devnetGridproxySource } from './gridproxy-source.js';
import { NODE_FEATURES, startNodeAgent } from './node-agent.js';
import { startRelay } from './relay.js';

export const PARTS = ['chain', 'gridproxy', 'relay', 'agent'] as const;
export type Part = (typeof PARTS)[number];

/** Starts one part; resolves to its close(). */
export async function servePart(
  dir: string,
  part: string,
  name: string | undefined,
  log: (l: string) => void,
): Promise<() => Promise<void>> {
  const state = readDevnetV3(dir);
  if (!state) throw new UserError(`No v3 devnet in ${dir}`);
  switch (part) {
    case 'chain': {
      const chain = await startChain({ port: state.ports.chain, genesis: genesisOf(state) });
      const replayed = replayJournal(chain.state, journalPath(dir));
      journalChain(chain.state, journalPath(dir));
      // Only now (listening and caught up) is the chain ready: `devnet up` waits for this file.
      writePrivateFile(chainAdminPath(dir), JSON.stringify({ url: chain.url, adminToken: chain.adminToken }));
      log(`chain listening on ${chain.url} (${replayed} journal entries replayed)`);
      return async () => {
        rmSync(chainAdminPath(dir), { force: true });
        await chain.close();
      };
    }
    case 'gridproxy': {
      const url = chainUrl(state);
      const chain = connectDevnetChain({ url });
      const source = devnetGridproxySource({
        chain,
        // Read at each request: pids change as agents are (re)started by `devnet up`.
        nodes: () => sourceNodes(readDevnetV3(dir) ?? state, NODE_FEATURES, servePidAlive),
        kyc: async (account) => ((await kycVerified(url, account)) ? 'VERIFIED' : undefined),
      });
      const gp = await startGridproxy({ port: state.ports.gridproxy, source });
      log(`gridproxy listening on ${gp.url}`);
      return async () => {
        await gp.close();
        await chain.close();
      };
    }
    case 'relay': {
      const chain = connectDevnetChain({ url: chainUrl(state) });
      const relay = await startRelay({ port: state.ports.relay, twins: chainTwins(chain) });
      log(`relay listening on ${relay.url}`);
      return async () => {
        await relay.close();
        await chain.close();
      };
    }
    case 'agent': {
      const node = state.nodes.find((n) => n.name === name);
      if (!node) throw new UserError(`No devnet node named ${String(name)}`);
      const url = chainUrl(state);
      const chain = connectDevnetChain({ url });
      const stateDir = agentDir(dir, node.name);
      ensurePrivateDir(stateDir);
      const agent = await startNodeAgent({
        nodeId: node.nodeId,
        twinId: node.twinId,
        account: await Grid3Account.fromMnemonic(node.mnemonic),
        relayUrl: relayUrl(state),
        chain,
        twins: chainTwins(chain),
        netns: node.namespace,
        ...(node.publicConfig ? { publicConfig: node.publicConfig } : {}),
        stateDir,
        // zos asks the KYC service about the sender; the devnet chain keeps that flag beside the account.
        kycVerified: async (twinId) => {
          const t = await chain.twin(twinId);
          return t ? kycVerified(url, t.accountId) : false;
        },
        log,
      });
      log(`node ${node.nodeId} (twin ${node.twinId}) serving on the relay in ${node.namespace}`);
      return async () => {
        await agent.close();
        await chain.close();
      };
    }
    default:
      throw new UserError(`devnet serve takes one of: ${PARTS.join(', ')}`);
  }
}
