/** What every command gets: output streams, global options, and the store opened on first use. */
import { defaultDataDir } from '../core/store/data-dir.js';
import { Keyring } from '../core/store/keyring.js';
import { openNodeStore } from '../core/store/open-node-store.js';
import { passphraseProvider } from '../core/store/passphrase-provider.js';
import type { StateStore } from '../core/store/state-store.js';
import { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { cliPassphraseSource } from './passphrase-prompt.js';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

export class CliContext {
  readonly dataDir: string;
  readonly json: boolean;
  private opened?: { store: StateStore; keyring: Keyring; tunnels: TunnelStore };

  constructor(readonly io: CliIO, readonly options: Record<string, string | boolean>) {
    this.dataDir = typeof options['data-dir'] === 'string' ? options['data-dir'] : defaultDataDir(io.env);
    this.json = options.json === true;
  }

  private open() {
    if (!this.opened) {
      const store = openNodeStore(this.dataDir);
      const keyring = new Keyring(store, passphraseProvider(cliPassphraseSource(this.io.env, this.io.stdin, this.io.stderr)));
      this.opened = { store, keyring, tunnels: new TunnelStore(store, keyring) };
    }
    return this.opened;
  }

  get store(): StateStore {
    return this.open().store;
  }

  get tunnels(): TunnelStore {
    return this.open().tunnels;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  warn(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  printJson(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }
}
