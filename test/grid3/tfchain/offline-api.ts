/**
 * An ApiPromise built from the real chain's metadata with no connection: a provider in this process
 * answers the handful of RPCs ApiPromise asks at start-up (genesis hash, runtime version, metadata) and
 * single-shot storage reads from a map the test fills. Nothing leaves the process.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiPromise } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';

export const METADATA_PATH = fileURLToPath(new URL('../fixtures/tfchain-metadata.scale', import.meta.url));
export const metadataBytes = (): Uint8Array => new Uint8Array(readFileSync(METADATA_PATH));

export const GENESIS = '0x' + '11'.repeat(32);

export function metadataRegistry(): { registry: TypeRegistry; metadata: Metadata } {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, metadataBytes());
  registry.setMetadata(metadata);
  return { registry, metadata };
}

class InProcessProvider {
  readonly hasSubscriptions = false;
  readonly isClonable = false;
  readonly isConnected = true;
  readonly stats = {};
  readonly storage = new Map<string, string>();
  readonly asked: string[] = [];
  constructor(private readonly metadataHex: string) {}
  clone(): never {
    throw new Error('not clonable');
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  on(): () => void {
    return () => undefined;
  }
  async subscribe(): Promise<never> {
    throw new Error('offline: no subscriptions');
  }
  async unsubscribe(): Promise<boolean> {
    return true;
  }
  async send(method: string, params: unknown[]): Promise<unknown> {
    this.asked.push(method);
    switch (method) {
      case 'chain_getBlockHash':
        return GENESIS;
      case 'state_getRuntimeVersion':
        return {
          specName: 'substrate-threefold',
          implName: 'substrate-threefold',
          authoringVersion: 1,
          specVersion: 149,
          implVersion: 1,
          apis: [],
          transactionVersion: 2,
          stateVersion: 0,
        };
      case 'system_chain':
        return 'TFChain';
      case 'system_properties':
        return { ss58Format: 42, tokenDecimals: 7, tokenSymbol: 'TFT' };
      case 'state_getMetadata':
        return this.metadataHex;
      case 'rpc_methods':
        return { methods: [] };
      case 'state_getStorage':
        return this.storage.get(String(params[0])) ?? null;
      case 'state_queryStorageAt': {
        const keys = params[0] as string[];
        return [{ block: GENESIS, changes: keys.map((k) => [k, this.storage.get(k) ?? null]) }];
      }
      default:
        throw new Error(`offline: ${method}`);
    }
  }
}

export async function offlineApi(): Promise<{ api: ApiPromise; provider: InProcessProvider }> {
  const provider = new InProcessProvider('0x' + Buffer.from(metadataBytes()).toString('hex'));
  const api = await ApiPromise.create({
    provider: provider as never,
    noInitWarn: true,
    throwOnConnect: true,
  });
  return { api, provider };
}
