/**
 * Read-only KYC status of a chain account, asked the way grid_client asks it before any deployment
 * (`clients/kyc/client.js status()`): `GET https://kyc.<net>.grid.tf/api/v1/status?client_id=<SS58 address>`,
 * no signature needed. The service (tf-kyc-verifier) answers 200 `{"result": {"status": "VERIFIED" | "REJECTED",
 * "final": bool, "clientId", "idenfyRef"}}`, or 404 `{"error": "verification not found"}`, which grid_client
 * reads as UNVERIFIED.
 *
 * A desktop client cannot pass this gate, only say whether it is passed and where to pass it; so failures of
 * the service itself come back as status UNKNOWN with the reason (naming the path and status), not as a throw.
 */
import type { GridNetwork } from './gridproxy.js';
import { BodyTooLarge, readBounded } from './bounded-body.js';

export type KycStatus = 'VERIFIED' | 'UNVERIFIED' | 'PENDING' | 'REJECTED' | 'UNKNOWN';

export interface KycResult {
  status: KycStatus;
  /** One line: what to do about it, and where. */
  fix: string;
  /** Why the status is UNKNOWN, or a doubt about the reply; absent when the service answered cleanly. */
  detail?: string;
}

export interface KycOptions {
  network?: GridNetwork;
  /** The KYC service base URL; wins over `network` (grid_client derives it from the network only). */
  url?: string;
  /** Where the user passes KYC; defaults to the network's dashboard. */
  dashboardUrl?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function kycUrl(network: GridNetwork): string {
  return network === 'main' ? 'https://kyc.grid.tf' : `https://kyc.${network}.grid.tf`;
}

export function dashboardUrl(network: GridNetwork): string {
  return network === 'main' ? 'https://dashboard.grid.tf' : `https://dashboard.${network}.grid.tf`;
}

/** The reply is a few hundred bytes; anything past this is not the KYC service. */
const MAX_BYTES = 64 << 10;
const SS58 = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/;

export async function kycStatus(address: string, opts: KycOptions = {}): Promise<KycResult> {
  if (!SS58.test(address)) throw new TypeError('kycStatus: not an SS58 address');
  const network = opts.network ?? 'main';
  const base = (opts.url ?? kycUrl(network)).replace(/\/+$/, '');
  const where = dashboardUrl(network);
  const dash = opts.dashboardUrl ?? where;
  const path = `/api/v1/status?client_id=${encodeURIComponent(address)}`;
  const unknown = (detail: string): KycResult => ({
    status: 'UNKNOWN',
    fix: `Could not ask the KYC service (${base}); try again later, or check your status in the Dashboard (${dash}).`,
    detail: `kyc GET ${path}: ${detail}`,
  });

  const timeoutMs = opts.timeoutMs ?? 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(base + path, { signal, redirect: 'error', headers: { accept: 'application/json' } });
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > MAX_BYTES) {
      await res.body?.cancel().catch(() => {});
      return unknown(`HTTP ${res.status}: the reply is larger than ${MAX_BYTES} bytes`);
    }
    text = await readBounded(res, MAX_BYTES);
  } catch (e) {
    if (timeout.aborted) return unknown(`no reply within ${timeoutMs} ms`);
    if (e instanceof BodyTooLarge) return unknown(`the reply is larger than ${MAX_BYTES} bytes`);
    const err = e as { message?: string; cause?: { code?: string } };
    return unknown(`${err?.message ?? String(e)}${err?.cause?.code ? ` (${err.cause.code})` : ''}`);
  }

  // 404 is the service's "verification not found": the account never started KYC (grid_client: UNVERIFIED).
  if (res.status === 404) return result('UNVERIFIED', dash);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return unknown(`HTTP ${res.status}: the reply is not JSON`);
  }
  if (res.status !== 200) {
    const msg = (body as { error?: unknown } | null)?.error;
    return unknown(
      `HTTP ${res.status}${typeof msg === 'string' ? `: ${msg.slice(0, 200).replace(/[\u0000-\u001f]/g, ' ')}` : ''}`,
    );
  }
  const r = (body as { result?: unknown } | null)?.result;
  if (!r || typeof r !== 'object') return unknown('HTTP 200: the reply has no result object');
  const { status, final, clientId } = r as { status?: unknown; final?: unknown; clientId?: unknown };
  if (typeof status !== 'string') return unknown('HTTP 200: the reply has no status string');
  if (clientId !== undefined && clientId !== address)
    return unknown('HTTP 200: the reply is about another account');
  if (status === 'VERIFIED' || status === 'REJECTED' || status === 'PENDING' || status === 'UNVERIFIED') {
    // The service marks an outcome that may still change (a manual review) as final=false.
    if (status === 'REJECTED' && final === false) {
      return {
        ...result('PENDING', dash),
        detail: 'the service says REJECTED, final=false (the review is not over)',
      };
    }
    return result(status, dash);
  }
  return unknown(`HTTP 200: unknown status ${JSON.stringify(status.slice(0, 40))}`);
}

function result(status: Exclude<KycStatus, 'UNKNOWN'>, dash: string): KycResult {
  switch (status) {
    case 'VERIFIED':
      return { status, fix: 'Nothing to do: this account is KYC-verified.' };
    case 'UNVERIFIED':
      return {
        status,
        fix: `Complete KYC verification in the ThreeFold Dashboard (${dash}) or the ThreeFold Connect app, signed in with this account.`,
      };
    case 'PENDING':
      return { status, fix: `Verification is under review; check again later in the Dashboard (${dash}).` };
    case 'REJECTED':
      return {
        status,
        fix: `Verification was rejected; retry it from the Dashboard (${dash}) or contact ThreeFold support.`,
      };
  }
}
