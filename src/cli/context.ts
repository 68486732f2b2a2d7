/** What every command gets: output streams, global options, and the store opened on first use. */
import { existsSync } from 'node:fs';
import { defaultDataDir } from '../core/store/data-dir.js';
import { Keyring } from '../core/store/keyring.js';
import { openNodeStore } from '../core/store/open-node-store.js';
import { passphraseSlot } from '../core/store/passphrase-slot.js';
import type { StateStore } from '../core/store/state-store.js';
import * as sudo from 'sudo-prompt';
import { UserError } from '../core/errors.js';
import { NETNS_NAME } from '../core/tunnels/command-line.js';
import { TunnelService } from '../core/tunnels/tunnel-service.js';
import { chooseDriver, type DriverChoice } from '../app/choose-driver.js';
import type { TunnelDriver } from '../core/tunnels/tunnel-driver.js';
import { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { DEFAULT_EXPLORER, NetworkService } from '../core/overlay/network-service.js';
import { isLoopback } from '../core/overlay/explorer-client.js';
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
  readonly netns?: string;
  private opened?: { store: StateStore; keyring: Keyring; tunnels: TunnelStore };
  private service?: Promise<TunnelService>;
  private choice?: Promise<DriverChoice>;
  private networkService?: NetworkService;

  constructor(
    readonly io: CliIO,
    readonly options: Record<string, string | boolean>,
  ) {
    this.dataDir = typeof options['data-dir'] === 'string' ? options['data-dir'] : defaultDataDir(io.env);
    this.json = options.json === true;
    if (typeof options.netns === 'string') {
      if (!NETNS_NAME.test(options.netns))
        throw new UserError(`"${options.netns}" is not a valid network namespace name`);
      this.netns = options.netns;
    }
  }

  private open() {
    if (!this.opened) {
      const store = openNodeStore(this.dataDir);
      const keyring = new Keyring(store, [this.passphraseSlot()]);
      this.opened = { store, keyring, tunnels: new TunnelStore(store, keyring) };
    }
    return this.opened;
  }

  /** The CLI's one way into the key store: a passphrase (plain Node has no access to the system keyring). */
  passphraseSlot() {
    return passphraseSlot(cliPassphraseSource(this.io.env, this.io.stdin, this.io.stderr));
  }

  get keyring(): Keyring {
    return this.open().keyring;
  }

  get store(): StateStore {
    return this.open().store;
  }

  get tunnels(): TunnelStore {
    return this.open().tunnels;
  }

  /** The explorer: --explorer, else the saved setting, else the default. */
  get explorerUrl(): string {
    if (typeof this.options.explorer === 'string') return this.options.explorer;
    return this.store.read().settings.explorer ?? DEFAULT_EXPLORER;
  }

  get networks(): NetworkService {
    if (!this.networkService) {
      const allowPlainHttp = this.options['allow-http-explorer'] === true;
      const url = new URL(this.explorerUrl);
      if (allowPlainHttp && url.protocol === 'http:' && !isLoopback(url.hostname)) {
        this.warn(
          `warning: ${url.origin} is plain http: anyone between here and there can change what it says`,
        );
      }
      this.networkService = new NetworkService(
        this.store,
        this.open().keyring,
        this.tunnels,
        this.explorerUrl,
        { allowPlainHttp },
      );
    }
    return this.networkService;
  }

  /** The helper socket the user named (`--helper`, OVERLAY_CONNECT_HELPER), if any. */
  get helperPath(): string | undefined {
    if (typeof this.options.helper === 'string') return this.options.helper;
    return this.io.env.OVERLAY_CONNECT_HELPER || undefined;
  }

  /** How tunnels are brought up here: the helper if reachable, else directly as root, else elevated. */
  driverChoice(): Promise<DriverChoice> {
    this.choice ??= chooseDriver({ dataDir: this.dataDir, helperPath: this.helperPath, elevate: sudo.exec });
    return this.choice;
  }

  /** The chosen driver, once `--netns` is known to fit it (root only; a helper has its own `--netns`). */
  async driver(): Promise<TunnelDriver> {
    const choice = await this.driverChoice();
    if (this.netns && choice.via === 'helper')
      throw new UserError(
        '--netns cannot be used through the helper: start the helper with `helper run --netns NAME`',
      );
    // Elevated, wg-quick runs in the namespace as root; its counters are then read through wireguard-go's
    // /proc entry, which needs no privilege. Kernel WireGuard in a namespace could not be watched.
    if (this.netns && choice.via === 'elevation' && existsSync('/sys/module/wireguard'))
      throw new UserError('--netns needs root here');
    return choice.driver;
  }

  /** The tunnel service over the chosen driver. */
  tunnelService(): Promise<TunnelService> {
    this.service ??= this.driver().then((driver) => new TunnelService({ tunnels: this.tunnels, driver }));
    return this.service;
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
