/**
 * @threefold/rmb_direct_client 2.9.2's own modules, for parity tests only (src/ never imports them). Its
 * index loads the chain client too; these are loaded by file from `dist/node` with Node's require, so they
 * are the very CommonJS modules grid_client runs. `loadedWithoutNetwork` records whether loading them
 * tried to open a socket or resolve a name (net, tls and dns are patched while loading).
 */
import dns from 'node:dns';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import tls from 'node:tls';

const require = createRequire(import.meta.url);
export const RMB_DIRECT_DIST = dirname(require.resolve('@threefold/rmb_direct_client'));
const rmbRequire = createRequire(join(RMB_DIRECT_DIST, 'index.js'));

export interface PbAddress {
  twin: number;
  connection: string;
}
export interface PbEnvelope {
  uid: string;
  tags: string;
  timestamp: number;
  expiration: number;
  source: PbAddress;
  destination: PbAddress;
  signature: Uint8Array;
  schema: string;
  federation: string;
  plain: Uint8Array;
  cipher: Uint8Array;
  relays: string[];
  request?: { command: string };
  response?: object;
  error?: { code: number; message: string };
  ping?: object;
  pong?: object;
  serializeBinary(): Uint8Array;
}
export interface PbTypes {
  Envelope: { new (data: Record<string, unknown>): PbEnvelope; deserializeBinary(b: Uint8Array): PbEnvelope };
  Address: new (data?: Record<string, unknown>) => PbAddress;
  Request: new (data?: Record<string, unknown>) => object;
  Response: new (data?: Record<string, unknown>) => object;
  Error: new (data?: Record<string, unknown>) => object;
  Ping: new () => object;
  Pong: new () => object;
}
export interface KeyringPairLike {
  type: string;
  address: string;
  publicKey: Uint8Array;
  sign(m: Uint8Array | string): Uint8Array;
  verify(m: Uint8Array | string, sig: Uint8Array, pk: Uint8Array): boolean;
}
export interface RdcClientEnvelope extends PbEnvelope {
  signer: KeyringPairLike;
  twin: { id: number; pk: string; accountId: string; relay: string };
  challenge(): Buffer;
  signEnvelope(): Uint8Array;
  verify(): Promise<boolean | undefined>;
  encrypt(data: string, mnemonic: string, destPk: string): Promise<Uint8Array>;
  decrypt(mnemonic: string): Promise<Uint8Array>;
}
export interface TfClientStub {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  twins: { get(q: { id: number }): Promise<unknown> };
}
export interface RdcClient {
  tfclient: TfClientStub;
  twin: { id: number; pk: string; accountId: string; relay: string };
  signer: KeyringPairLike;
  con: { close(): void; readyState: number };
  createSigner(): Promise<void>;
  updateSource(): void;
  createConnection(): void;
  waitForOpenConnection(): Promise<unknown>;
  newJWT(session: string): string;
  send(
    command: string,
    data: string,
    twin: number,
    expirationMinutes: number,
    retries?: number,
  ): Promise<string>;
  read(uid: string): Promise<unknown>;
}

const opened: string[] = [];
function withoutNetwork<T>(load: () => T): T {
  const connect = net.Socket.prototype.connect;
  const tlsConnect = tls.connect;
  const lookup = dns.lookup;
  net.Socket.prototype.connect = function (this: net.Socket, ...a: unknown[]) {
    opened.push(`net.connect ${JSON.stringify(a[0])}`);
    return (connect as (...x: unknown[]) => net.Socket).apply(this, a);
  } as typeof connect;
  (tls as { connect: unknown }).connect = (...a: unknown[]) => {
    opened.push('tls.connect');
    return (tlsConnect as (...x: unknown[]) => unknown)(...a);
  };
  (dns as { lookup: unknown }).lookup = (...a: unknown[]) => {
    opened.push(`dns.lookup ${String(a[0])}`);
    return (lookup as (...x: unknown[]) => unknown)(...a);
  };
  try {
    return load();
  } finally {
    net.Socket.prototype.connect = connect;
    (tls as { connect: unknown }).connect = tlsConnect;
    (dns as { lookup: unknown }).lookup = lookup;
  }
}

const load = <T>(file: string): T => withoutNetwork(() => rmbRequire(join(RMB_DIRECT_DIST, file)) as T);

export const rdc = {
  types: load<PbTypes>('types/lib/types.js'),
  ClientEnvelope: load<{
    default: new (
      signer: KeyringPairLike | undefined,
      envelope: PbEnvelope,
      chainUrl: string,
      tfclient: TfClientStub | undefined,
      twins: Map<number, unknown>,
    ) => RdcClientEnvelope;
  }>('envelope.js').default,
  sign: load<{
    sign(payload: Uint8Array | string, signer: KeyringPairLike): Uint8Array;
    createShared(pubKey: Uint8Array, mnemonic: string): Uint8Array;
  }>('sign.js'),
  util: load<{ generatePublicKey(secret: string): string }>('util.js'),
  Client: load<{
    Client: (new (
      chainUrl: string,
      relayUrl: string,
      mnemonic: string,
      session: string,
      keypairType: string,
      retries: number,
    ) => RdcClient) & { connections: Map<string, unknown> };
  }>('client.js').Client,
};
export const loadedWithoutNetwork = (): string[] => [...opened];

/** The keyring grid_client and rmb_direct_client use. */
export function polkadotKeyring() {
  const { Keyring } = rmbRequire('@polkadot/api') as {
    Keyring: new (o: { type: string; ss58Format?: number }) => {
      addFromMnemonic(m: string): KeyringPairLike;
      addFromAddress(a: string): KeyringPairLike;
    };
  };
  const { waitReady } = rmbRequire('@polkadot/wasm-crypto') as { waitReady(): Promise<boolean> };
  return { Keyring, waitReady };
}
