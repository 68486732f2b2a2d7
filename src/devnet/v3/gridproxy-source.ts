/**
 * The devnet gridproxy's data (startGridproxy's `source`) read from the devnet's own authorities, as the
 * real gridproxy indexes the chain: twins and node contracts from the chain stand-in (through the Chain
 * interface, so it can run in another process than the chain), nodes and farms from whoever runs the
 * node agents. The chain has no "list" call (neither has the real one: gridproxy follows its events),
 * so ids are probed upward from 1 until a run of misses; a contract once Deleted never changes again
 * and is remembered rather than asked for at every request.
 */
import type { Chain, NodeContract } from '../../grid3/tfchain/types.js';
import type {
  GridproxySource,
  SourceContract,
  SourceFarm,
  SourceKyc,
  SourceNode,
  SourceTwin,
} from './gridproxy-server.js';

type Awaitable<T> = T | Promise<T>;

export interface DevnetGridproxySourceOptions {
  chain: Pick<Chain, 'twin' | 'contract'>;
  nodes: () => Awaitable<Iterable<SourceNode>>;
  /** Default: one farm per farm id the nodes name, "farm<id>", with no owner twin (0). */
  farms?: () => Awaitable<Iterable<SourceFarm>>;
  kyc?: (accountId: string) => Awaitable<SourceKyc | undefined>;
  /** How many consecutive missing ids end a probe (ids may have gaps: genesis twins with fixed ids). */
  misses?: number;
}

export function devnetGridproxySource(o: DevnetGridproxySourceOptions): GridproxySource {
  const misses = o.misses ?? 8;
  const deleted = new Map<number, SourceContract>();

  async function probe<T>(
    get: (id: number) => Promise<T | null>,
    skip?: (id: number) => T | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    let run = 0;
    for (let id = 1; run < misses; id++) {
      const known = skip?.(id);
      const v = known ?? (await get(id));
      if (v === null || v === undefined) run++;
      else {
        run = 0;
        out.push(v);
      }
    }
    return out;
  }

  const contractRecord = (c: NodeContract): SourceContract => ({
    contract_id: c.contractId,
    twin_id: c.twinId,
    state: c.state,
    type: 'node',
    details: {
      nodeId: c.nodeId,
      deployment_data: c.deploymentData,
      deployment_hash: c.deploymentHash,
      number_of_public_ips: c.publicIps,
    },
  });

  const source: GridproxySource = {
    nodes: () => o.nodes(),
    async farms() {
      if (o.farms) return o.farms();
      const ids = new Set([...(await o.nodes())].map((n) => n.farmId));
      return [...ids].map((farmId) => ({ farmId, name: `farm${farmId}`, twinId: 0 }));
    },
    async twins(): Promise<SourceTwin[]> {
      const found = await probe((id) => o.chain.twin(id));
      const byId = new Map(found.map((t) => [t.id, t]));
      // Node twins may sit far above the users' (genesis ids): ask for them by name.
      for (const n of await o.nodes()) {
        if (!byId.has(n.twinId)) {
          const t = await o.chain.twin(n.twinId);
          if (t) byId.set(t.id, t);
        }
      }
      return [...byId.values()].map((t) => ({
        twinId: t.id,
        accountId: t.accountId,
        relay: t.relay ?? '',
        publicKey: t.pk ?? '',
      }));
    },
    async contracts(): Promise<SourceContract[]> {
      return probe(
        async (id) => {
          const c = await o.chain.contract(id);
          if (!c) return null;
          const r = contractRecord(c);
          if (r.state === 'Deleted') deleted.set(id, r);
          return r;
        },
        (id) => deleted.get(id),
      );
    },
  };
  if (o.kyc) source.kyc = o.kyc;
  return source;
}
