/**
 * The devnet chain's wire format, shared by its server (src/devnet/v3/chain-server.ts) and its client
 * (devnet-client.ts). A write is the same call list the live chain gets (calls.ts), as JSON with bytes in
 * 0x hex, plus the account and its nonce; the body's exact bytes are signed with the account's sr25519
 * key (signing context "substrate", @polkadot/util-crypto's default) and the signature travels in a
 * header. The nonce plays the chain's part: a replayed or reordered request is stale.
 */
import { bytesToHex, hexToBytes } from './codec.js';
import { MAX_DEPLOYMENT_DATA, type CallValue, type ChainCall } from './calls.js';
import { ChainError } from './errors.js';

export const SIGNATURE_HEADER = 'x-tfchain-signature';

export interface WireCall {
  section: string;
  method: string;
  args: { name: string; value: number | string | null }[];
}

export interface WireTx {
  account: string;
  nonce: number;
  calls: WireCall[];
}

/** What /tx answers: the batch's events, or the error that undid it. */
export type WireTxResult =
  | { ok: true; events: { section: string; method: string; data: unknown[] }[] }
  | { ok: false; error: { section: string; name: string; detail?: string } };

export function callsToWire(calls: ChainCall[]): WireCall[] {
  return calls.map((c) => ({
    section: c.section,
    method: c.method,
    args: c.args.map((a) => ({
      name: a.name,
      value: a.value instanceof Uint8Array ? bytesToHex(a.value) : a.value,
    })),
  }));
}

/** Argument kinds of each call, in the pallet's order (as the metadata defines them). */
const SIGNATURES: Record<string, [string, 'u32' | 'u64' | 'hash' | 'bytes' | 'optu64'][]> = {
  'smartContractModule.createNodeContract': [
    ['node_id', 'u32'],
    ['deployment_hash', 'hash'],
    ['deployment_data', 'bytes'],
    ['public_ips', 'u32'],
    ['solution_provider_id', 'optu64'],
  ],
  'smartContractModule.updateNodeContract': [
    ['contract_id', 'u64'],
    ['deployment_hash', 'hash'],
    ['deployment_data', 'bytes'],
  ],
  'smartContractModule.cancelContract': [['contract_id', 'u64']],
};

/** Decoding as a chain would: an unknown call or ill-typed argument is an invalid transaction. */
export function callsFromWire(raw: unknown): ChainCall[] {
  const bad = (why: string): never => {
    throw new ChainError('transaction', 'BadFormat', why);
  };
  if (!Array.isArray(raw) || raw.length === 0) bad('calls must be a non-empty list');
  return (raw as unknown[]).map((c, i) => {
    const call = c as Partial<WireCall>;
    const sig = SIGNATURES[`${call?.section}.${call?.method}`];
    if (!sig) return bad(`call ${i}: ${call?.section}.${call?.method} is not a call this chain has`);
    if (!Array.isArray(call.args) || call.args.length !== sig.length)
      return bad(`call ${i}: wrong argument count`);
    const args = sig.map(([name, kind], j): { name: string; value: CallValue } => {
      const a = call.args![j] as { name?: unknown; value?: unknown };
      if (a?.name !== name) bad(`call ${i}: argument ${j} must be ${name}`);
      const v = a.value;
      switch (kind) {
        case 'u32':
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff)
            bad(`${name}: not a u32`);
          return { name, value: v as number };
        case 'u64':
          if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${name}: not a u64`);
          return { name, value: v as number };
        case 'optu64':
          if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
            bad(`${name}: not an Option<u64>`);
          return { name, value: v as number | null };
        case 'hash': {
          const b = typeof v === 'string' ? hexToBytes(v) : bad(`${name}: not bytes`);
          if (b.length !== 32) bad(`${name}: a [u8;32] is 32 bytes, got ${b.length}`);
          return { name, value: b };
        }
        case 'bytes': {
          const b = typeof v === 'string' ? hexToBytes(v) : bad(`${name}: not bytes`);
          if (b.length > MAX_DEPLOYMENT_DATA) bad(`${name}: longer than ${MAX_DEPLOYMENT_DATA}`);
          return { name, value: b };
        }
      }
    });
    return { section: 'smartContractModule', method: call.method as ChainCall['method'], args };
  });
}
