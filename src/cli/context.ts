/**
 * What every command gets: output streams, global options, and the store opened on first use.
 *
 * Only light modules are imported here: the store (conf and its schema compiler), the key store's crypto
 * (libsodium, tweetnacl), the drivers and the network service are imported when a command first asks for
 * them, so that a command pays only for what it uses.
 */
import { existsSync } from 'node:fs';
import { defaultDataDir } from '../core/store/data-dir.js';
import type { Keyring } from '../core/store/keyring.js';
import type { SlotMethod } from '../core/store/slot-method.js';
import type { StateStore } from '../core/store/state-store.js';
import type { TunnelRecord } from '../core/store/schema.js';
import { UserError } from '../core/errors.js';
import { NETNS_NAME } from '../core/tunnels/command-line.js';
import type { TunnelService } from '../core/tunnels/tunnel-service.js';
import type { DriverChoice } from '../app/choose-driver.js';
import type { TunnelDriver } from '../core/tunnels/tunnel-driver.js';
import type { TunnelStore } from '../core/tunnels/tunnel-store.js';
import type { NetworkService } from '../core/overlay/network-service.js';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

interface Opened {
  store: StateStore;
  keyring: Keyring;
  tunnels: TunnelStore;
}

export class CliContext {
  readonly dataDir: string;
  readonly json: boolean;
  readonly netns?: string;
  private opened?: Promise<Opened>;
  private service?: Promise<TunnelService>;
  private choice?: Promise<DriverChoice>;
  private networkService?: Promise<NetworkService>;

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

  private open(): Promise<Opened> {
    this.opened ??= (async () => {
      const [{ openNodeStore }, { Keyring }, { TunnelStore }, slot] = await Promise.all([
        import('../core/store/open-node-store.js'),
        import('../core/store/keyring.js'),
        import('../core/tunnels/tunnel-store.js'),
        this.passphraseSlot(),
      ]);
      const store = openNodeStore(this.dataDir);
      const keyring = new Keyring(store, [slot]);
      return { store, keyring, tunnels: new TunnelStore(store, keyring) };
    })();
    return this.opened;
  }

  /** The CLI's one way into the key store: a passphrase (plain Node has no access to the system keyring). */
  async passphraseSlot(): Promise<SlotMethod> {
    const [{ passphraseSlot }, { cliPassphraseSource }] = await Promise.all([
      import('../core/store/passphrase-slot.js'),
      import('./passphrase-prompt.js'),
    ]);
    return passphraseSlot(cliPassphraseSource(this.io.env, this.io.stdin, this.io.stderr));
  }

  async keyring(): Promise<Keyring> {
    return (await this.open()).keyring;
  }

  async store(): Promise<StateStore> {
    return (await this.open()).store;
  }

  async tunnels(): Promise<TunnelStore> {
    return (await this.open()).tunnels;
  }

  /**
   * The tunnels, for a command that only reads them (`tunnel list`): read straight from the state file
   * when it is one conf would open as it is (see read-store.ts), without loading conf, the key store or
   * its crypto; else through the store as every other command opens it. Same records, same order.
   */
  async tunnelList(): Promise<TunnelRecord[]> {
    const { readTunnelsAsIs } = await import('./read-store.js');
    const tunnels = readTunnelsAsIs(this.dataDir);
    // The same order as TunnelStore.list().
    if (tunnels) return Object.values(tunnels).sort((a, b) => a.name.localeCompare(b.name));
    return (await this.tunnels()).list();
  }

  /** The explorer: --explorer, else the saved setting, else the default. */
  async explorerUrl(): Promise<string> {
    if (typeof this.options.explorer === 'string') return this.options.explorer;
    const { DEFAULT_EXPLORER } = await import('../core/overlay/network-service.js');
    return (await this.store()).read().settings.explorer ?? DEFAULT_EXPLORER;
  }

  networks(): Promise<NetworkService> {
    this.networkService ??= (async () => {
      const [{ NetworkService }, { isLoopback }] = await Promise.all([
        import('../core/overlay/network-service.js'),
        import('../core/overlay/explorer-client.js'),
      ]);
      const allowPlainHttp = this.options['allow-http-explorer'] === true;
      const explorerUrl = await this.explorerUrl();
      const url = new URL(explorerUrl);
      if (allowPlainHttp && url.protocol === 'http:' && !isLoopback(url.hostname)) {
        this.warn(
          `warning: ${url.origin} is plain http: anyone between here and there can change what it says`,
        );
      }
      const { store, keyring, tunnels } = await this.open();
      return new NetworkService(store, keyring, tunnels, explorerUrl, { allowPlainHttp });
    })();
    return this.networkService;
  }

  /** The helper socket the user named (`--helper`, OVERLAY_CONNECT_HELPER), if any. */
  get helperPath(): string | undefined {
    if (typeof this.options.helper === 'string') return this.options.helper;
    return this.io.env.OVERLAY_CONNECT_HELPER || undefined;
  }

  /** How tunnels are brought up here: the helper if reachable, else directly as root, else elevated. */
  driverChoice(): Promise<DriverChoice> {
    this.choice ??= Promise.all([import('../app/choose-driver.js'), import('sudo-prompt')]).then(
      ([{ chooseDriver }, sudo]) =>
        chooseDriver({ dataDir: this.dataDir, helperPath: this.helperPath, elevate: sudo.exec }),
    );
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
    this.service ??= (async () => {
      const { TunnelService } = await import('../core/tunnels/tunnel-service.js');
      // The driver first, then the store, as before: a driver that cannot be had leaves the store unopened.
      const driver = await this.driver();
      return new TunnelService({ tunnels: await this.tunnels(), driver });
    })();
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
