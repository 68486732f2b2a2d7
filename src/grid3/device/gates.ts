/**
 * What an account has on its grid, and what deploying still needs (a twin, terms, funds, KYC), each a
 * line saying where to fix it: `grid login` prints them, the window shows them. Reading needs none.
 */
import { UserError } from '../../core/errors.js';
import type { Grid3NetworkName } from '../../core/store/schema.js';
import type { KycStatus } from '../kyc.js';
import type { GridUrls } from './urls.js';

export interface Gate {
  what: 'twin' | 'terms' | 'funds' | 'kyc';
  message: string;
}

export interface AccountFacts {
  twinId: number | null;
  balance: bigint;
  terms: boolean;
  kyc: KycStatus;
  gates: Gate[];
}

/** Reads the account's twin, balance, terms and KYC (the chain's reads need no signer). */
export async function accountFacts(
  network: Grid3NetworkName,
  urls: GridUrls,
  address: string,
): Promise<AccountFacts> {
  const { openChain } = await import('./session.js');
  const chain = await openChain(network, urls);
  let twinId: number | null;
  let balance: bigint;
  let terms: boolean;
  try {
    [twinId, balance, terms] = await Promise.all([
      chain.twinByAccount(address),
      chain.balance(address),
      chain.termsAccepted(address),
    ]);
  } catch (e) {
    throw new UserError(`The chain (${urls.chain}) did not answer: ${(e as Error).message}`);
  } finally {
    await chain.close();
  }
  const { kycStatus, dashboardUrl } = await import('../kyc.js');
  // The devnet's gridproxy serves the KYC service's read path too.
  const kyc = await kycStatus(
    address,
    network === 'devnet' ? { url: urls.gridproxy, dashboardUrl: 'devnet up --grid v3' } : { network },
  );
  const where =
    network === 'devnet'
      ? 'the devnet (devnet up --grid v3 makes a funded, verified twin)'
      : `the ThreeFold Dashboard (${dashboardUrl(network)})`;
  const gates: Gate[] = [];
  if (twinId === null)
    gates.push({
      what: 'twin',
      message: `No twin: this account has none on ${network}; create it in ${where}. Listing nodes needs none.`,
    });
  if (!terms)
    gates.push({ what: 'terms', message: `Terms and conditions not accepted: accept them in ${where}.` });
  if (balance === 0n)
    gates.push({
      what: 'funds',
      message: `No funds: the account holds 0 TFT; fund it in ${where} before creating or connecting.`,
    });
  if (kyc.status !== 'VERIFIED')
    gates.push({ what: 'kyc', message: `KYC ${kyc.status.toLowerCase()}: ${kyc.fix}` });
  return { twinId, balance, terms, kyc: kyc.status, gates };
}
