/**
 * The devnet chain stand-in, through the same Chain interface the app uses for the live chain, over
 * real HTTP on 127.0.0.1: the pallet's rules each by their error name, batchAll all-or-nothing, cancel by
 * the owner only, contract ids read from the events, and signatures bound to the account they act for.
 */
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { addNode, createVerifiedTwin, fundAccount, kycVerified } from '../../../src/devnet/v3/chain-admin.js';
import { startChain, type RunningChain } from '../../../src/devnet/v3/chain-server.js';
import { connectDevnetChain } from '../../../src/grid3/tfchain/devnet-client.js';
import { ChainError } from '../../../src/grid3/tfchain/errors.js';
import type { Chain, ChainSigner, ContractOp } from '../../../src/grid3/tfchain/types.js';

const TFT = 10_000_000n;
const FEE = 100_000n;
const DATA = '{"version":3,"type":"network","name":"mynet","projectName":""}';
const hash = (n: number): string => n.toString(16).padStart(32, '0');
const create = (nodeId: number, h: string, extra: Partial<ContractOp> = {}): ContractOp =>
  ({ kind: 'create', nodeId, deploymentHash: h, deploymentData: DATA, publicIps: 0, ...extra }) as ContractOp;

let running: RunningChain;
let alice: Grid3Account, bob: Grid3Account, carol: Grid3Account, poor: Grid3Account;
let asAlice: Chain, asBob: Chain, asCarol: Chain, asPoor: Chain;

/** The pallet error a call failed with, as section.name. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChainError) return `${e.section}.${e.error}`;
    throw e;
  }
  throw new Error('expected a ChainError');
}

beforeAll(async () => {
  [alice, bob, carol, poor] = (await Promise.all(
    [1, 2, 3, 4].map(() => Grid3Account.fromMnemonic(mnemonicGenerate())),
  )) as [Grid3Account, Grid3Account, Grid3Account, Grid3Account];
  running = await startChain({
    genesis: {
      fee: FEE,
      accounts: [
        { account: alice.address, free: 100n * TFT, termsAccepted: true, kycVerified: true },
        { account: bob.address, free: 100n * TFT, termsAccepted: true },
        { account: carol.address, free: 100n * TFT },
        { account: poor.address, free: 0 },
      ],
      twins: [
        { account: alice.address, relay: 'relay.dev.grid.tf', pk: alice.rmbPublicKeyHex },
        { account: bob.address },
        { account: poor.address },
      ],
      farms: [
        { id: 1, publicIps: 1 },
        { id: 2, dedicated: true },
      ],
      nodes: [
        { id: 11, farmId: 1, twinId: 100 },
        { id: 12, farmId: 1, twinId: 101, rentedBy: 2 },
        { id: 13, farmId: 2, twinId: 102 },
        { id: 14, farmId: 1, twinId: 103, standby: true },
      ],
    },
  });
  const chain = (signer: ChainSigner): Chain => connectDevnetChain({ url: running.url, signer });
  [asAlice, asBob, asCarol, asPoor] = [alice, bob, carol, poor].map(chain) as [Chain, Chain, Chain, Chain];
});

afterAll(async () => {
  for (const c of [asAlice, asBob, asCarol, asPoor]) await c?.close();
  await running?.close();
});

describe('the devnet chain through the Chain interface', () => {
  it('listens on loopback and answers twins, balances and terms', async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await asCarol.twinByAccount(alice.address)).toBe(1);
    expect(await asCarol.twinByAccount(carol.address)).toBeNull();
    expect(await asCarol.twin(1)).toEqual({
      id: 1,
      accountId: alice.address,
      relay: 'relay.dev.grid.tf',
      pk: alice.rmbPublicKeyHex,
    });
    expect(await asCarol.twin(99)).toBeNull();
    expect(await asCarol.balance(alice.address)).toBe(100n * TFT);
    expect(await asCarol.termsAccepted(alice.address)).toBe(true);
    expect(await asCarol.termsAccepted(carol.address)).toBe(false);
  });

  it('creates node contracts in one batch and reads their ids from the events', async () => {
    const out = await asAlice.nodeContractsBatch([create(11, hash(1))]);
    expect(out).toEqual([{ kind: 'create', contractId: 1, nodeId: 11 }]);
    const two = await asAlice.nodeContractsBatch([
      create(11, hash(2)),
      create(11, hash(3), { publicIps: 1 }),
    ]);
    expect(two).toEqual([
      { kind: 'create', contractId: 2, nodeId: 11 },
      { kind: 'create', contractId: 3, nodeId: 11 },
    ]);
    expect(await asCarol.contract(1)).toEqual({
      contractId: 1,
      twinId: 1,
      nodeId: 11,
      deploymentHash: hash(1),
      deploymentData: DATA,
      publicIps: 0,
      state: 'Created',
      solutionProviderId: null,
    });
    expect(await asCarol.contract(999)).toBeNull();
    // Each write paid the fee.
    expect(await asAlice.balance(alice.address)).toBe(100n * TFT - 2n * FEE);
  });

  it('refuses each rule by the pallet error’s name', async () => {
    expect(await failure(asCarol.nodeContractsBatch([create(11, hash(10))]))).toBe(
      'smartContractModule.TwinNotExists',
    );
    expect(await failure(asAlice.nodeContractsBatch([create(999, hash(10))]))).toBe(
      'smartContractModule.NodeNotExists',
    );
    // Rented by another twin, dedicated without a rent contract, in standby.
    for (const node of [12, 13, 14]) {
      expect(await failure(asAlice.nodeContractsBatch([create(node, hash(10))]))).toBe(
        'smartContractModule.NodeNotAvailableToDeploy',
      );
    }
    // The renter may deploy on its node.
    expect(await asBob.nodeContractsBatch([create(12, hash(10))])).toEqual([
      { kind: 'create', contractId: 4, nodeId: 12 },
    ]);
    // Same node + same hash while the first is not deleted: for its twin, and (as the pallet keys it on
    // node and hash alone) for any other.
    expect(await failure(asAlice.nodeContractsBatch([create(11, hash(1))]))).toBe(
      'smartContractModule.ContractIsNotUnique',
    );
    expect(await failure(asBob.nodeContractsBatch([create(11, hash(1))]))).toBe(
      'smartContractModule.ContractIsNotUnique',
    );
    expect(await failure(asAlice.nodeContractsBatch([create(11, hash(11), { publicIps: 1 })]))).toBe(
      'smartContractModule.FarmHasNotEnoughPublicIPs',
    );
    expect(await failure(asAlice.nodeContractsBatch([create(11, hash(11), { solutionProviderId: 3 })]))).toBe(
      'smartContractModule.NoSuchSolutionProvider',
    );
    expect(await failure(asPoor.nodeContractsBatch([create(11, hash(11))]))).toBe('transaction.Payment');
  });

  it('is all or nothing: a failing call undoes the calls before it', async () => {
    const before = await asAlice.balance(alice.address);
    expect(
      await failure(asAlice.nodeContractsBatch([create(11, hash(20)), { kind: 'cancel', contractId: 4 }])),
    ).toBe('smartContractModule.TwinNotAuthorizedToCancelContract');
    // The first create left nothing: its (node, hash) is free and its id was not used.
    expect(await asAlice.contract(5)).toBeNull();
    expect(await asAlice.nodeContractsBatch([create(11, hash(20))])).toEqual([
      { kind: 'create', contractId: 5, nodeId: 11 },
    ]);
    // As on the chain, the failed transaction still paid its fee.
    expect(await asAlice.balance(alice.address)).toBe(before - 2n * FEE);
  });

  it('updates and cancels for the owner only, then the contract is Deleted and its hash free again', async () => {
    expect(
      await failure(
        asBob.nodeContractsBatch([
          { kind: 'update', contractId: 1, deploymentHash: hash(30), deploymentData: 'x' },
        ]),
      ),
    ).toBe('smartContractModule.TwinNotAuthorizedToUpdateContract');
    expect(await failure(asBob.nodeContractsBatch([{ kind: 'cancel', contractId: 1 }]))).toBe(
      'smartContractModule.TwinNotAuthorizedToCancelContract',
    );
    const out = await asAlice.nodeContractsBatch([
      { kind: 'update', contractId: 1, deploymentHash: hash(30), deploymentData: '{"v":2}' },
      { kind: 'cancel', contractId: 2 },
      create(11, hash(31)),
    ]);
    expect(out).toEqual([
      { kind: 'update', contractId: 1 },
      { kind: 'cancel', contractId: 2 },
      { kind: 'create', contractId: 6, nodeId: 11 },
    ]);
    expect(await asAlice.contract(1)).toMatchObject({
      deploymentHash: hash(30),
      deploymentData: '{"v":2}',
      state: 'Created',
    });
    expect(await asAlice.contract(2)).toMatchObject({ state: 'Deleted' });
    expect(await failure(asAlice.nodeContractsBatch([{ kind: 'cancel', contractId: 2 }]))).toBe(
      'smartContractModule.ContractNotExists',
    );
    // The update moved contract 1 off hash(1), and contract 2's hash is free once it is deleted.
    expect(await asAlice.nodeContractsBatch([create(11, hash(1)), create(11, hash(2))])).toEqual([
      { kind: 'create', contractId: 7, nodeId: 11 },
      { kind: 'create', contractId: 8, nodeId: 11 },
    ]);
  });

  it('refuses a request signed by another account’s key, and a replayed one', async () => {
    // Claims to be alice, signs with bob's key.
    const impostor: ChainSigner = {
      address: alice.address,
      publicKey: alice.publicKey,
      sign: (m) => bob.sign(m),
    };
    const chain = connectDevnetChain({ url: running.url, signer: impostor });
    expect(await failure(chain.nodeContractsBatch([create(11, hash(40))]))).toBe('transaction.BadProof');
    await chain.close();

    // A genuine request sent twice: the second is stale (the nonce was used).
    const nonce = (
      (await (await fetch(`${running.url}/accounts/${alice.address}`)).json()) as { nonce: number }
    ).nonce;
    const body = JSON.stringify({
      account: alice.address,
      nonce,
      calls: [
        {
          section: 'smartContractModule',
          method: 'cancelContract',
          args: [{ name: 'contract_id', value: 7 }],
        },
      ],
    });
    const signature = '0x' + Buffer.from(alice.sign(new TextEncoder().encode(body))).toString('hex');
    const send = async (): Promise<unknown> =>
      (
        await fetch(`${running.url}/tx`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tfchain-signature': signature },
          body,
        })
      ).json();
    expect(await send()).toMatchObject({ ok: true });
    expect(await send()).toMatchObject({ ok: false, error: { section: 'transaction', name: 'Stale' } });
    // A call the chain does not have is an invalid transaction, not a dispatch.
    const bad = JSON.stringify({
      account: alice.address,
      nonce: nonce + 1,
      calls: [{ section: 'balances', method: 'transfer', args: [] }],
    });
    const res = await fetch(`${running.url}/tx`, {
      method: 'POST',
      headers: {
        'x-tfchain-signature': '0x' + Buffer.from(alice.sign(new TextEncoder().encode(bad))).toString('hex'),
      },
      body: bad,
    });
    expect(await res.json()).toMatchObject({ ok: false, error: { name: 'BadFormat' } });
  });

  it('funds an account and makes a verified twin for devnet up, behind the admin token', async () => {
    const dave = await Grid3Account.fromMnemonic(mnemonicGenerate());
    const admin = { url: running.url, adminToken: running.adminToken };
    await expect(fundAccount({ ...admin, adminToken: 'wrong' }, dave.address, 5n)).rejects.toThrow(/401/);
    const twinId = await createVerifiedTwin(admin, {
      account: dave.address,
      relay: 'relay.local',
      pk: dave.rmbPublicKeyHex,
    });
    const asDave = connectDevnetChain({ url: running.url, signer: dave });
    expect(await asDave.twinByAccount(dave.address)).toBe(twinId);
    expect(await asDave.twin(twinId)).toMatchObject({ relay: 'relay.local', pk: dave.rmbPublicKeyHex });
    expect(await asDave.termsAccepted(dave.address)).toBe(true);
    expect(await kycVerified(running.url, dave.address)).toBe(true);
    expect(await kycVerified(running.url, carol.address)).toBe(false);
    expect(await asDave.balance(dave.address)).toBe(1000n * TFT);
    expect(await fundAccount(admin, dave.address, TFT)).toBe(1001n * TFT);
    await addNode(admin, { id: 15, farmId: 1, twinId: 104 });
    expect(await asDave.nodeContractsBatch([create(15, hash(50))])).toEqual([
      { kind: 'create', contractId: 9, nodeId: 15 },
    ]);
    await asDave.close();
  });

  it('is reached on loopback only', () => {
    expect(() => connectDevnetChain({ url: 'http://tfchain.grid.tf' })).toThrow(/loopback/);
  });
});
