/**
 * The live implementation's submitting half, with the real chain's codec objects but no chain: the
 * batch is the real utility.batchAll extrinsic from the offline api, and only its signAndSend is
 * replaced by one that answers as a node would (status InBlock with the block's events, or a
 * dispatch error, or an RPC rejection, or nothing at all). Proves the ids come from real event records,
 * errors carry the pallet's name, and a silent chain times out and unsubscribes.
 */
import type { ApiPromise } from '@polkadot/api';
import type { GenericEvent } from '@polkadot/types';
import { u8aConcat } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../../src/core/grid3/account.js';
import { ChainError } from '../../../src/grid3/tfchain/errors.js';
import { chainOverApi, type ApiLike } from '../../../src/grid3/tfchain/live.js';
import type { Chain, ContractOp } from '../../../src/grid3/tfchain/types.js';
import { offlineApi } from './offline-api.js';

const HASH = '8568e3dfb18de8507824b6f7bfae9dca';
const OPS: ContractOp[] = [
  { kind: 'create', nodeId: 11, deploymentHash: HASH, deploymentData: '{}', publicIps: 0 },
  { kind: 'cancel', contractId: 77 },
];

type Answer = (cb: (r: unknown) => void) => void;

let api: ApiPromise;
let account: Grid3Account;
let answer: Answer;
let unsubscribed = 0;
let submittedMethod: string | undefined;
let rejection: Error | undefined;

function pallet(name: string) {
  return api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === name)!;
}
function event(palletName: string, name: string, data: Uint8Array = new Uint8Array()): GenericEvent {
  const p = pallet(palletName);
  const idx = api.registry.lookup
    .getSiType(p.events.unwrap().type)
    .def.asVariant.variants.find((v) => v.name.toString() === name)!
    .index.toNumber();
  return api.registry.createType(
    'Event',
    u8aConcat(new Uint8Array([p.index.toNumber(), idx]), data),
  ) as unknown as GenericEvent;
}
function moduleError(name: string) {
  const p = pallet('SmartContractModule');
  const idx = api.registry.lookup
    .getSiType(p.errors.unwrap().type)
    .def.asVariant.variants.findIndex((v) => v.name.toString() === name);
  return api.registry.createType('DispatchError', {
    Module: { index: p.index.toNumber(), error: [idx, 0, 0, 0] },
  });
}
const inBlock = () => api.registry.createType('ExtrinsicStatus', { InBlock: '0x' + '22'.repeat(32) });

function chain(submitTimeoutMs = 5000): Chain {
  // The real api, except that utility.batchAll's extrinsic is sent to our stand-in node.
  const tx = new Proxy(api.tx, {
    get(target, key) {
      if (key !== 'utility') return (target as unknown as Record<string | symbol, unknown>)[key];
      return {
        batchAll: (calls: never) => {
          const ext = target.utility!.batchAll!(calls) as unknown as Record<string, unknown> & {
            method: { toHex(): string };
          };
          ext.signAndSend = async (address: string, opts: { signer?: unknown }, cb: (r: unknown) => void) => {
            expect(address).toBe(account.address);
            expect(opts.signer).toBeDefined();
            submittedMethod = ext.method.toHex();
            if (rejection) throw rejection;
            setTimeout(() => answer(cb), 5);
            return () => void unsubscribed++;
          };
          return ext;
        },
      };
    },
  });
  return chainOverApi(
    { query: api.query, tx, registry: api.registry, disconnect: async () => undefined } as unknown as ApiLike,
    { signer: account, submitTimeoutMs },
    blake2AsU8a,
  );
}

beforeAll(async () => {
  await cryptoWaitReady();
  ({ api } = await offlineApi());
  account = await Grid3Account.fromMnemonic(mnemonicGenerate());
});
afterAll(async () => {
  await api.disconnect();
});

describe('live nodeContractsBatch, answered as a node answers', () => {
  it('returns the ids from the InBlock event records and unsubscribes', async () => {
    const contract = api.registry
      .createType('PalletSmartContractContract', {
        contractId: 901,
        twinId: 42,
        contractType: { NodeContract: { nodeId: 11, deploymentHash: HASH, deploymentData: '{}' } },
      })
      .toU8a();
    const canceled = u8aConcat(
      api.registry.createType('u64', 77).toU8a(),
      api.registry.createType('u32', 5).toU8a(),
      api.registry.createType('u32', 42).toU8a(),
    );
    answer = (cb) =>
      cb({
        status: inBlock(),
        events: [
          event('SmartContractModule', 'ContractCreated', contract),
          event('Utility', 'ItemCompleted'),
          event('SmartContractModule', 'NodeContractCanceled', canceled),
          event('Utility', 'ItemCompleted'),
          event('Utility', 'BatchCompleted'),
          event(
            'System',
            'ExtrinsicSuccess',
            api.registry.createType('FrameSupportDispatchDispatchInfo').toU8a(),
          ),
        ].map((e) => ({ event: e })),
      });
    const before = unsubscribed;
    expect(await chain().nodeContractsBatch(OPS)).toEqual([
      { kind: 'create', contractId: 901, nodeId: 11 },
      { kind: 'cancel', contractId: 77 },
    ]);
    expect(unsubscribed).toBe(before + 1);
    expect(submittedMethod?.slice(0, 6)).toBe('0x0302'); // Utility (3) . batch_all (2)
  });

  it('names the pallet error of a failed batch', async () => {
    answer = (cb) =>
      cb({ status: inBlock(), events: [], dispatchError: moduleError('NodeNotAvailableToDeploy') });
    const err = await chain()
      .nodeContractsBatch(OPS)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect(err).toMatchObject({ section: 'smartContractModule', error: 'NodeNotAvailableToDeploy' });
  });

  it('names an RPC rejection (no fee) and a dropped transaction', async () => {
    rejection = new Error(
      '1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low',
    );
    await expect(chain().nodeContractsBatch(OPS)).rejects.toMatchObject({
      section: 'transaction',
      error: 'Payment',
    });
    rejection = undefined;
    answer = (cb) => cb({ status: api.registry.createType('ExtrinsicStatus', 'Dropped'), events: [] });
    await expect(chain().nodeContractsBatch(OPS)).rejects.toMatchObject({
      section: 'transaction',
      error: 'Dropped',
    });
  });

  it('times out on a chain that never includes it, and stops listening', async () => {
    answer = () => undefined;
    const before = unsubscribed;
    await expect(chain(150).nodeContractsBatch(OPS)).rejects.toMatchObject({ name: 'ChainTimeoutError' });
    expect(unsubscribed).toBe(before + 1);
  });

  it('refuses bad ops before anything is signed', async () => {
    submittedMethod = undefined;
    await expect(chain().nodeContractsBatch([{ kind: 'cancel', contractId: -1 }])).rejects.toThrow(
      /contractId/,
    );
    expect(submittedMethod).toBeUndefined();
  });
});
