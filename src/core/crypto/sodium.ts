/** libsodium (WASM) for what tweetnacl lacks: BLAKE2b with a 24-byte output, the ed25519 → curve25519
 * conversion, and the reference sealed box the tests and the devnet's nodes open with. */
import sodiumModule from 'libsodium-wrappers';

let ready: Promise<typeof sodiumModule> | undefined;

export function loadSodium(): Promise<typeof sodiumModule> {
  ready ??= sodiumModule.ready.then(() => sodiumModule);
  return ready;
}
