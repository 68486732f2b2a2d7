/**
 * The calls overlay-connect submits are exactly the calls the real TFChain defines: built from our ops
 * with the chain's own metadata (test/grid3/fixtures/tfchain-metadata.scale, see its README), encoded,
 * decoded back, and compared name by name, type by type, value by value. Then the same ops through
 * @threefold/tfchain_client (the oracle: grid_client's way) on an offline ApiPromise must give the same
 * bytes, and our readers must read the chain's real storage and event encodings.
 */
import { createRequire } from 'node:module';
import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { GenericCall, GenericEvent, Metadata, TypeRegistry } from '@polkadot/types';
import { expandMetadata } from '@polkadot/types';
import { u8aConcat, u8aToHex, u8aToString } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, mnemonicGenerate, sr25519Verify } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { buildBatchCalls, type ChainCall } from '../../../src/grid3/tfchain/calls.js';
import { outcomesFromEvents } from '../../../src/grid3/tfchain/codec.js';
import {
  chainErrorFrom,
  chainOverApi,
  makePolkadotSigner,
  toApiArgs,
  toExtrinsics,
  type ApiLike,
} from '../../../src/grid3/tfchain/live.js';
import type { ChainEvent, ContractOp } from '../../../src/grid3/tfchain/types.js';
import { metadataRegistry, offlineApi } from './offline-api.js';

const HASH_A = '8568e3dfb18de8507824b6f7bfae9dca'; // the challenge-hash vector of docs/grid-v3.md
const HASH_B = '0123456789abcdef0123456789abcdef';
const DATA = '{"version":3,"type":"network","name":"mynet","projectName":""}';

const OPS: ContractOp[] = [
  { kind: 'create', nodeId: 11, deploymentHash: HASH_A, deploymentData: DATA, publicIps: 0 },
  {
    kind: 'create',
    nodeId: 4000,
    deploymentHash: HASH_B,
    deploymentData: 'x',
    publicIps: 1,
    solutionProviderId: 7,
  },
  { kind: 'update', contractId: 4242, deploymentHash: HASH_B, deploymentData: DATA },
  { kind: 'cancel', contractId: 77 },
];

/** What the chain defines (pallet-smart-contract lib.rs, read through the metadata's type names). */
const DEFINED: Record<string, [string, string][]> = {
  createNodeContract: [
    ['node_id', 'u32'],
    ['deployment_hash', '[u8;32]'],
    ['deployment_data', 'Bytes'],
    ['public_ips', 'u32'],
    ['solution_provider_id', 'Option<u64>'],
  ],
  updateNodeContract: [
    ['contract_id', 'u64'],
    ['deployment_hash', '[u8;32]'],
    ['deployment_data', 'Bytes'],
  ],
  cancelContract: [['contract_id', 'u64']],
};

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

let registry: TypeRegistry;
let metadata: Metadata;
let calls: ChainCall[];

/** The metadata's own description of a call: pallet index, call index, field names and types. */
function metaCall(palletName: string, method: string) {
  const pallet = metadata.asLatest.pallets.find((p) => p.name.toString() === palletName);
  if (!pallet) throw new Error(`no pallet ${palletName}`);
  const variants = registry.lookup.getSiType(pallet.calls.unwrap().type).def.asVariant.variants;
  const v = variants.find((x) => camel(x.name.toString()) === method);
  if (!v) throw new Error(`no call ${palletName}.${method}`);
  return {
    palletIndex: pallet.index.toNumber(),
    callIndex: v.index.toNumber(),
    fields: v.fields.map(
      (f) => [f.name.unwrap().toString(), registry.lookup.getTypeDef(f.type).type] as [string, string],
    ),
  };
}

/** Our call list as the chain's Calls, through the metadata's decorated tx (no api, no connection). */
function encodeBatch(): GenericCall {
  const tx = expandMetadata(registry, metadata).tx;
  const inner = calls.map((c) => tx[c.section]![c.method]!(...toApiArgs(c)));
  return tx.utility!.batchAll!(inner) as unknown as GenericCall;
}

beforeAll(async () => {
  await cryptoWaitReady();
  ({ registry, metadata } = metadataRegistry());
  calls = buildBatchCalls(OPS);
});

describe('our batch against the real chain metadata', () => {
  it('names each call and argument as the chain does, in its order, with its types', () => {
    for (const c of calls) {
      const m = metaCall('SmartContractModule', c.method);
      expect(m.fields).toEqual(DEFINED[c.method]);
      expect(c.args.map((a) => a.name)).toEqual(m.fields.map(([name]) => name));
    }
    // The runtime's construct_runtime! (tfchain 33046d68): Utility = 3, SmartContractModule = 26, and the
    // pallet's call_index 0/1/2.
    expect(metaCall('Utility', 'batchAll')).toMatchObject({ palletIndex: 3, callIndex: 2 });
    expect(metaCall('SmartContractModule', 'createNodeContract')).toMatchObject({
      palletIndex: 26,
      callIndex: 0,
    });
    expect(metaCall('SmartContractModule', 'updateNodeContract')).toMatchObject({
      palletIndex: 26,
      callIndex: 1,
    });
    expect(metaCall('SmartContractModule', 'cancelContract')).toMatchObject({
      palletIndex: 26,
      callIndex: 2,
    });
  });

  it('encodes to utility.batchAll and decodes back to exactly the calls, types and values given', () => {
    const bytes = encodeBatch().toU8a();
    expect([...bytes.subarray(0, 2)]).toEqual([3, 2]);
    const decoded = registry.createType('Call', bytes);
    expect([decoded.section, decoded.method]).toEqual(['utility', 'batchAll']);
    expect(decoded.meta.args.map((a) => a.name.toString())).toEqual(['calls']);
    const inner = decoded.args[0] as unknown as GenericCall[];
    expect(inner).toHaveLength(OPS.length);

    const expected: unknown[][] = [
      [11, utf8(HASH_A), utf8(DATA), 0, null],
      [4000, utf8(HASH_B), utf8('x'), 1, 7],
      [4242, utf8(HASH_B), utf8(DATA)],
      [77],
    ];
    inner.forEach((call, i) => {
      const method = calls[i]!.method;
      expect([call.section, call.method]).toEqual(['smartContractModule', method]);
      // polkadot camelCases the metadata's argument names on decoding.
      expect(call.meta.args.map((a) => a.name.toString())).toEqual(DEFINED[method]!.map(([n]) => camel(n)));
      expect(call.args.map((a) => a.toRawType())).toEqual(DEFINED[method]!.map(([, t]) => t));
      const values = call.args.map((a, j) => {
        const t = DEFINED[method]![j]![1];
        if (t === '[u8;32]') return a.toU8a();
        if (t === 'Bytes') return a.toU8a(true);
        if (t === 'Option<u64>')
          return (a as unknown as { isNone: boolean }).isNone ? null : Number(a.toString());
        return Number(a.toString());
      });
      expect(values).toEqual(expected[i]);
    });
    // deployment_hash holds the ASCII of the 32 hex characters, not the 16 MD5 bytes.
    expect(u8aToString(inner[0]!.args[1]!.toU8a())).toBe(HASH_A);
  });

  it('lowercases the hash and refuses what the chain could not decode', () => {
    const [upper] = buildBatchCalls([
      { ...(OPS[0] as ContractOp & { kind: 'create' }), deploymentHash: HASH_A.toUpperCase() },
    ]);
    expect(u8aToString(upper!.args[1]!.value as Uint8Array)).toBe(HASH_A);
    expect(() => buildBatchCalls([{ kind: 'cancel', contractId: 0 }])).toThrow(/contractId/);
    expect(() =>
      buildBatchCalls([{ ...(OPS[0] as ContractOp & { kind: 'create' }), deploymentHash: 'abc' }]),
    ).toThrow(/32 hex/);
    expect(() =>
      buildBatchCalls([{ ...(OPS[0] as ContractOp & { kind: 'create' }), deploymentData: 'x'.repeat(513) }]),
    ).toThrow(/512/);
    expect(() => buildBatchCalls([])).toThrow(/at least one/);
  });
});

describe('through an ApiPromise on the same metadata (offline)', () => {
  let api: ApiPromise;
  let provider: Awaited<ReturnType<typeof offlineApi>>['provider'];

  beforeAll(async () => {
    ({ api, provider } = await offlineApi());
  });
  afterAll(async () => {
    await api.disconnect();
  });

  it('the live implementation submits the same bytes', () => {
    const batch = api.tx.utility!.batchAll!(toExtrinsics(api as unknown as ApiLike, calls) as never);
    expect(batch.method.toHex()).toBe(encodeBatch().toHex());
  });

  it('@threefold/tfchain_client (grid_client 2.9.2 path) builds the same batch for the same ops', async () => {
    // The ESM build has extensionless imports Node cannot load; its CommonJS build is the one that runs.
    const require = createRequire(import.meta.url);
    const { Client } = require('@threefold/tfchain_client') as {
      Client: new (o: { url: string; mnemonicOrSecret: string }) => Record<string, unknown> & {
        contracts: Record<string, (o: unknown) => Promise<unknown>>;
        utility: { batchAll(x: unknown[]): Promise<unknown> };
      };
    };
    const client = new Client({ url: 'ws://127.0.0.1:9', mnemonicOrSecret: '//Alice' });
    // Drive it offline: its decorators call connect(); it then only uses client.api, which is ours.
    client.api = api;
    client.connect = async () => undefined;
    let submitted: { method: { toHex(): string } } | undefined;
    client.applyExtrinsic = async (ext: typeof submitted) => {
      submitted = ext;
      return [];
    };
    // Its cancel() first reads the contract and skips a missing one: give contract 77 a value.
    provider.storage.set(
      api.query.smartContractModule!.contracts!.key(77),
      registry
        .createType('PalletSmartContractContract', {
          contractId: 77,
          twinId: 1,
          contractType: { NodeContract: { nodeId: 5 } },
        })
        .toHex(),
    );
    const theirs = [
      await client.contracts.createNode!({ nodeId: 11, hash: HASH_A, data: DATA, numberOfPublicIps: 0 }),
      await client.contracts.createNode!({
        nodeId: 4000,
        hash: HASH_B,
        data: 'x',
        numberOfPublicIps: 1,
        solutionProviderId: 7,
      }),
      await client.contracts.updateNode!({ id: 4242, hash: HASH_B, data: DATA }),
      await client.contracts.cancel!({ id: 77 }),
    ];
    expect(theirs.every(Boolean)).toBe(true);
    await client.utility.batchAll(theirs);
    expect(submitted?.method.toHex()).toBe(encodeBatch().toHex());
  });

  it('our signer signs exactly the payload @polkadot/keyring signs (sr25519, MultiSignature 0x01)', async () => {
    const mnemonic = mnemonicGenerate();
    const account = await Grid3Account.fromMnemonic(mnemonic);
    const pair = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromMnemonic(mnemonic);
    expect(account.address).toBe(pair.address);
    let signed: Uint8Array | undefined;
    const recording = {
      ...account,
      address: account.address,
      publicKey: account.publicKey,
      sign: (m: Uint8Array) => ((signed = m), account.sign(m)),
    };
    const opts = { nonce: 5, era: 0, blockHash: api.genesisHash };
    const ours = await api.tx.utility!.batchAll!(
      toExtrinsics(api as unknown as ApiLike, calls) as never,
    ).signAsync(account.address, {
      ...opts,
      signer: makePolkadotSigner(api as unknown as ApiLike, recording, blake2AsU8a) as never,
    });
    const keyrings = await api.tx.utility!.batchAll!(
      toExtrinsics(api as unknown as ApiLike, calls) as never,
    ).signAsync(pair, opts);
    expect(signed).toBeDefined();
    // keyring's signature verifies over the very bytes our signer was handed: same payload.
    const keyringSig = keyrings.signature.toU8a();
    expect(sr25519Verify(signed!, keyringSig.subarray(keyringSig.length - 64), pair.publicKey)).toBe(true);
    const decoded = api.createType('Extrinsic', ours.toU8a());
    expect(decoded.isSigned).toBe(true);
    expect(decoded.signer.toString()).toBe(account.address);
    expect(decoded.method.toHex()).toBe(encodeBatch().toHex());
    expect(sr25519Verify(signed!, decoded.signature.toU8a().subarray(-64), account.publicKey)).toBe(true);
  });

  it('reads twins, balance, terms and contracts from the chain’s real storage encodings', async () => {
    const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice').address;
    const q = api.query as unknown as Record<string, Record<string, { key(...a: unknown[]): string }>>;
    const put = (section: string, item: string, arg: unknown, type: string, value: unknown): void => {
      // SCALE bytes (toHex of an integer would be its big-endian value, not its encoding).
      provider.storage.set(q[section]![item]!.key(arg), u8aToHex(registry.createType(type, value).toU8a()));
    };
    put('tfgridModule', 'twinIdByAccountID', alice, 'u32', 42);
    put('tfgridModule', 'twins', 42, 'PalletTfgridTwin', {
      id: 42,
      accountId: alice,
      relay: 'relay.dev.grid.tf',
      pk: '0x' + '02'.repeat(33),
    });
    put('system', 'account', alice, 'FrameSystemAccountInfo', { nonce: 3, data: { free: 2n ** 60n + 5n } });
    put('tfgridModule', 'usersTermsAndConditions', alice, 'Vec<PalletTfgridTermsCondTermsAndConditions>', [
      { accountId: alice, timestamp: 1, documentLink: 'https://x', documentHash: 'h' },
    ]);
    put('smartContractModule', 'contracts', 4242, 'PalletSmartContractContract', {
      version: 4,
      state: { Created: null },
      contractId: 4242,
      twinId: 42,
      contractType: {
        NodeContract: { nodeId: 11, deploymentHash: HASH_A, deploymentData: DATA, publicIps: 0 },
      },
      solutionProviderId: null,
    });

    const chain = chainOverApi(api as unknown as ApiLike, {}, blake2AsU8a);
    expect(await chain.twinByAccount(alice)).toBe(42);
    expect(
      await chain.twinByAccount(new Keyring({ type: 'sr25519' }).addFromUri('//Bob').address),
    ).toBeNull();
    expect(await chain.twin(42)).toEqual({
      id: 42,
      accountId: alice,
      relay: 'relay.dev.grid.tf',
      pk: '0x' + '02'.repeat(33),
    });
    expect(await chain.twin(43)).toBeNull();
    // Above 2^53 polkadot's toJSON turns to hex; the balance must still come out exact.
    expect(await chain.balance(alice)).toBe(2n ** 60n + 5n);
    expect(await chain.termsAccepted(alice)).toBe(true);
    expect(await chain.contract(4242)).toEqual({
      contractId: 4242,
      twinId: 42,
      nodeId: 11,
      deploymentHash: HASH_A,
      deploymentData: DATA,
      publicIps: 0,
      state: 'Created',
      solutionProviderId: null,
    });
    expect(await chain.contract(4243)).toBeNull();
    await expect(chain.nodeContractsBatch(OPS)).rejects.toThrow(/no signer/);
  });

  it('names a failed batch by the pallet error the chain’s metadata gives its index', () => {
    const errors = (() => {
      const p = metadata.asLatest.pallets.find((x) => x.name.toString() === 'SmartContractModule')!;
      return registry.lookup
        .getSiType(p.errors.unwrap().type)
        .def.asVariant.variants.map((v) => v.name.toString());
    })();
    for (const name of [
      'TwinNotExists',
      'NodeNotAvailableToDeploy',
      'ContractIsNotUnique',
      'TwinNotAuthorizedToCancelContract',
    ]) {
      const index = errors.indexOf(name);
      expect(index).toBeGreaterThanOrEqual(0);
      // What ExtrinsicFailed / result.dispatchError carries: Module { index: pallet, error: [variant, 0, 0, 0] }.
      const dispatchError = registry.createType('DispatchError', {
        Module: { index: 26, error: [index, 0, 0, 0] },
      });
      const e = chainErrorFrom(api as unknown as ApiLike, dispatchError as never);
      expect([e.section, e.error]).toEqual(['smartContractModule', name]);
    }
  });

  it('reads the contract ids from the real event encodings of a batchAll', () => {
    const eventIndex = (pallet: string, name: string): [number, number] => {
      const p = metadata.asLatest.pallets.find((x) => x.name.toString() === pallet)!;
      const v = registry.lookup
        .getSiType(p.events.unwrap().type)
        .def.asVariant.variants.find((x) => x.name.toString() === name)!;
      return [p.index.toNumber(), v.index.toNumber()];
    };
    const contract = (id: number, nodeId: number) =>
      registry
        .createType('PalletSmartContractContract', {
          contractId: id,
          twinId: 42,
          contractType: { NodeContract: { nodeId, deploymentHash: HASH_A, deploymentData: DATA } },
        })
        .toU8a();
    const event = (pallet: string, name: string, data: Uint8Array = new Uint8Array()): ChainEvent => {
      const e = registry.createType(
        'Event',
        u8aConcat(new Uint8Array(eventIndex(pallet, name)), data),
      ) as unknown as GenericEvent;
      return { section: e.section, method: e.method, data: e.data.toJSON() as unknown[] };
    };
    const item = (): ChainEvent => event('Utility', 'ItemCompleted');
    const canceled = u8aConcat(
      registry.createType('u64', 77).toU8a(),
      registry.createType('u32', 5).toU8a(),
      registry.createType('u32', 42).toU8a(),
    );
    const events = [
      event('SmartContractModule', 'ContractCreated', contract(900, 11)),
      item(),
      event('SmartContractModule', 'ContractCreated', contract(901, 4000)),
      item(),
      event('SmartContractModule', 'ContractUpdated', contract(4242, 11)),
      item(),
      event('SmartContractModule', 'NodeContractCanceled', canceled),
      item(),
      event('Utility', 'BatchCompleted'),
    ];
    expect(events.map((e) => `${e.section}.${e.method}`).slice(0, 2)).toEqual([
      'smartContractModule.ContractCreated',
      'utility.ItemCompleted',
    ]);
    expect(outcomesFromEvents(OPS, events)).toEqual([
      { kind: 'create', contractId: 900, nodeId: 11 },
      { kind: 'create', contractId: 901, nodeId: 4000 },
      { kind: 'update', contractId: 4242 },
      { kind: 'cancel', contractId: 77 },
    ]);
    // Events that do not match the ops are an error, not a guess.
    expect(() => outcomesFromEvents(OPS, events.slice(2))).toThrow(/UnexpectedEvents/);
  });
});
