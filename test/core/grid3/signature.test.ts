import { beforeAll, describe, expect, it } from 'vitest';
import {
  challengeHash,
  ed25519Signer,
  signDeployment,
  verifyDeploymentSignature,
  type DeploymentSigner,
} from '../../../src/core/grid3/challenge.js';
import { Grid3FormatError } from '../../../src/core/grid3/canonical.js';
import { threePeerDeployment } from './fixtures.js';
import { polkadotCrypto } from './grid-client.js';
import { toGridClient } from './to-grid-client.js';

// Substrate's well-known development phrase (Alice's), never an account of value.
const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const pd = polkadotCrypto();
beforeAll(() => pd.cryptoWaitReady());

describe('signatures over the challenge hash, against grid_client 2.9.2', () => {
  it('ed25519: ours equals grid_client’s Deployment.sign byte for byte, and each verifies the other', async () => {
    const d = threePeerDeployment();
    const theirs = toGridClient(d);
    await theirs.sign(d.twin_id, MNEMONIC, 'ed25519');
    const theirSig = theirs.signature_requirement.signatures[0]!;

    // grid_client's keyring: an ed25519 account's seed is the mnemonic's mini-secret.
    const signer = ed25519Signer(pd.mnemonicToMiniSecret(MNEMONIC));
    expect(signer.publicKey).toEqual(pd.ed25519PairFromSeed(pd.mnemonicToMiniSecret(MNEMONIC)).publicKey);
    const signed = await signDeployment(d, d.twin_id, signer);
    const ourSig = signed.signature_requirement.signatures[0]!;

    expect(ourSig).toEqual({
      twin_id: theirSig.twin_id,
      signature: theirSig.signature,
      signature_type: 'ed25519',
    });
    expect(ourSig.signature).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyDeploymentSignature(d, { ...theirSig, signature_type: 'ed25519' }, signer.publicKey)).toBe(
      true,
    );
  });

  it('ed25519: refuses a changed deployment, signature or key', async () => {
    const d = threePeerDeployment();
    const signer = ed25519Signer(new Uint8Array(32).fill(5));
    const sig = (await signDeployment(d, d.twin_id, signer)).signature_requirement.signatures[0]!;
    expect(verifyDeploymentSignature(d, sig, signer.publicKey)).toBe(true);
    expect(verifyDeploymentSignature({ ...d, version: 1 }, sig, signer.publicKey)).toBe(false);
    const flipped = (sig.signature[0] === '0' ? '1' : '0') + sig.signature.slice(1);
    expect(verifyDeploymentSignature(d, { ...sig, signature: flipped }, signer.publicKey)).toBe(false);
    expect(verifyDeploymentSignature(d, { ...sig, signature: 'zz' }, signer.publicKey)).toBe(false);
    expect(verifyDeploymentSignature(d, sig, ed25519Signer(new Uint8Array(32)).publicKey)).toBe(false);
  });

  it('sr25519: grid_client’s signature verifies with an injected sr25519 verifier; none here refuses', async () => {
    const d = threePeerDeployment();
    const theirs = toGridClient(d);
    await theirs.sign(d.twin_id, MNEMONIC, 'sr25519');
    const sig = theirs.signature_requirement.signatures[0]! as {
      twin_id: number;
      signature: string;
      signature_type: 'sr25519';
    };
    const pair = pd.sr25519PairFromSeed(pd.mnemonicToMiniSecret(MNEMONIC));
    expect(verifyDeploymentSignature(d, sig, pair.publicKey, pd.sr25519Verify)).toBe(true);
    expect(verifyDeploymentSignature({ ...d, twin_id: 1 }, sig, pair.publicKey, pd.sr25519Verify)).toBe(
      false,
    );
    expect(() => verifyDeploymentSignature(d, sig, pair.publicKey)).toThrow(Grid3FormatError);
  });

  it('signs the 16 hash bytes and replaces a twin’s earlier signature (zos’s Sign; grid_client appends a duplicate)', async () => {
    const d = threePeerDeployment();
    const seen: Uint8Array[] = [];
    const recorder: DeploymentSigner = { type: 'sr25519', sign: (m) => (seen.push(m), new Uint8Array(64)) };
    const once = await signDeployment(d, d.twin_id, recorder);
    expect(seen[0]).toEqual(challengeHash(d));
    const twice = await signDeployment(once, d.twin_id, ed25519Signer(new Uint8Array(32).fill(1)));
    expect(twice.signature_requirement.signatures).toHaveLength(1);
    expect(twice.signature_requirement.signatures[0]!.signature_type).toBe('ed25519');
    expect(d.signature_requirement.signatures).toHaveLength(0);

    const theirs = toGridClient(d);
    await theirs.sign(d.twin_id, MNEMONIC, 'ed25519');
    await theirs.sign(d.twin_id, MNEMONIC, 'ed25519');
    expect(theirs.signature_requirement.signatures).toHaveLength(2);
  });
});
