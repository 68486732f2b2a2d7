/**
 * The RMB twin directory from the chain (the authority for who a twin is: its account signs its
 * envelopes, its pk receives encrypted payloads). Each twin is asked once; an unknown one is not cached,
 * so a twin created later is found.
 */
import type { TwinDirectory, TwinInfo } from '../rmb/twins.js';
import type { Chain } from '../tfchain/types.js';

export function chainTwins(chain: Pick<Chain, 'twin'>): TwinDirectory {
  const cache = new Map<number, Promise<TwinInfo | undefined>>();
  return {
    get(id: number): Promise<TwinInfo | undefined> {
      let p = cache.get(id);
      if (!p) {
        p = chain
          .twin(id)
          .then((t) => (t ? { id: t.id, accountId: t.accountId, pk: t.pk, relay: t.relay } : undefined));
        cache.set(id, p);
        p.then(
          (t) => {
            if (!t) cache.delete(id);
          },
          () => cache.delete(id),
        );
      }
      return p;
    },
  };
}
