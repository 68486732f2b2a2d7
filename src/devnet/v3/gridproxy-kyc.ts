/**
 * The KYC service's read path (tf-kyc-verifier `GET /api/v1/status`), by client_id (SS58 address) or twin_id,
 * served by the devnet gridproxy since its paths do not meet gridproxy's.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './gridproxy-reply.js';
import type { GridproxySource } from './gridproxy-source-types.js';

export async function kycStatus(res: ServerResponse, u: URL, src: GridproxySource) {
  let clientId = u.searchParams.get('client_id') ?? '';
  const twinId = u.searchParams.get('twin_id') ?? '';
  if (!clientId && !twinId) {
    return sendJson(res, 400, { error: 'either client_id or twin_id must be provided' });
  }
  if (!clientId) {
    const twin = [...(await src.twins())].find((t) => String(t.twinId) === twinId);
    // The real service asks the chain for the twin's address; a twin it cannot find is an external error.
    if (!twin)
      return sendJson(res, 503, {
        error: `looking up twinID address from TFChain: twin ${twinId} not found`,
      });
    clientId = twin.accountId;
  }
  const outcome = src.kyc ? await src.kyc(clientId) : 'VERIFIED';
  if (outcome === undefined) return sendJson(res, 404, { error: 'verification not found' });
  // The service only ever says VERIFIED or REJECTED; a review that may still change is final=false.
  sendJson(res, 200, {
    result: {
      final: outcome !== 'PENDING',
      idenfyRef: '',
      clientId,
      status: outcome === 'VERIFIED' ? 'VERIFIED' : 'REJECTED',
    },
  });
}
