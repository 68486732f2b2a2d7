/**
 * Who a twin is, as the RMB needs it: the chain account that signs for it, its RMB public key (`pk`) and
 * relay. On the grid this comes from TFChain (or gridproxy `/twins`); here it is injected, so the
 * transport never reads the chain itself and tests and the devnet supply their own.
 */
export interface TwinInfo {
  id: number;
  /** SS58 or 0x hex: the sr25519 (or ed25519) key that signs the twin's envelopes and relay tokens. */
  accountId: string;
  /** Compressed secp256k1 key, bytes or hex; absent means the twin cannot receive encrypted payloads. */
  pk?: Uint8Array | string | null;
  relay?: string | null;
}

export interface TwinDirectory {
  get(twinId: number): Promise<TwinInfo | undefined>;
}

/** A fixed directory (tests, the devnet). */
export function staticTwins(twins: Iterable<TwinInfo>): TwinDirectory & { set(t: TwinInfo): void } {
  const byId = new Map<number, TwinInfo>();
  for (const t of twins) byId.set(t.id, t);
  return {
    get: async (id) => byId.get(id),
    set: (t) => void byId.set(t.id, t),
  };
}
