/**
 * What a node signs when it reports a workload's result, as tfexplorer defines it (`Result.encode` in
 * pkg/workloads/types/reservation.go, extracted from zos): one byte of state (0 error, 1 ok, 2 deleted),
 * then the message, then the raw `data_json`. The signature is hex ed25519 by the node's key.
 *
 * Nothing in these bytes names the workload or the node: a valid signature can be replayed onto another
 * workload of the same node with the same state and message. The client therefore also checks that a
 * result answers a workload it asked that very node for.
 */
import nacl from 'tweetnacl';

export interface SignedResult {
  state: number;
  message: string;
  /** The result's data as the node sent it; absent or null means none. */
  data_json?: unknown;
}

export function resultBytes(r: SignedResult): Uint8Array {
  const data =
    r.data_json === undefined || r.data_json === null
      ? ''
      : typeof r.data_json === 'string'
        ? r.data_json
        : JSON.stringify(r.data_json);
  const text = new TextEncoder().encode(`${r.message}${data}`);
  const out = new Uint8Array(text.length + 1);
  out[0] = r.state & 0xff;
  out.set(text, 1);
  return out;
}

export function signResult(secretKey: Uint8Array, r: SignedResult): string {
  return Buffer.from(nacl.sign.detached(resultBytes(r), secretKey)).toString('hex');
}

export function resultSignatureValid(
  publicKeyHex: string,
  r: SignedResult & { signature?: unknown },
): boolean {
  const sig = typeof r.signature === 'string' ? r.signature : '';
  if (!/^[0-9a-f]{128}$/i.test(sig) || !/^[0-9a-f]{64}$/i.test(publicKeyHex)) return false;
  return nacl.sign.detached.verify(resultBytes(r), Buffer.from(sig, 'hex'), Buffer.from(publicKeyHex, 'hex'));
}
