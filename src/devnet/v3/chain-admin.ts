/**
 * The devnet chain's levers for whoever runs the devnet (`devnet up`, tests) from another process: fund
 * an account, make a funded, terms-accepted, KYC-verified twin, add a node. They use the admin token
 * startChain returned; in the same process `RunningChain.state` does the same directly.
 * KYC is not a chain fact on the grid (grid_client asks https://kyc.<net>.grid.tf); the devnet keeps the
 * flag beside the account so one stand-in answers both, read here with kycVerified().
 */
import type { GenesisNode } from './chain-state.js';

export interface ChainAdmin {
  url: string;
  adminToken: string;
}

async function post(admin: ChainAdmin, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(new URL(`/admin/${path}`, admin.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`devnet chain /admin/${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Adds `amount` (smallest unit; 1 TFT = 10^7) to the account's free balance; returns the new balance. */
export async function fundAccount(admin: ChainAdmin, account: string, amount: bigint): Promise<bigint> {
  const r = (await post(admin, 'fund', { account, amount })) as { free: string };
  return BigInt(r.free);
}

/** Funds (default 1000 TFT), accepts the terms, marks KYC verified and creates the twin (or keeps it). */
export async function createVerifiedTwin(
  admin: ChainAdmin,
  twin: { account: string; relay?: string; pk?: string; free?: bigint },
): Promise<number> {
  const r = (await post(admin, 'verified-twin', twin)) as { twinId: number };
  return r.twinId;
}

export async function addNode(admin: ChainAdmin, node: GenesisNode): Promise<void> {
  await post(admin, 'node', node);
}

export async function kycVerified(url: string, account: string): Promise<boolean> {
  const res = await fetch(new URL(`/accounts/${encodeURIComponent(account)}`, url), {
    signal: AbortSignal.timeout(10_000),
  });
  return ((await res.json()) as { kycVerified: boolean }).kycVerified === true;
}
