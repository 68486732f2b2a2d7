/**
 * The tunnels the user has: imported configs (and, later, network accesses). Public parts are in the state
 * file; each private key is sealed by the keyring and stored beside it in the same atomic write.
 */
import { NotFoundError, UserError } from '../errors.js';
import type { Keyring } from '../store/keyring.js';
import { secretIdForTunnel, type StoreData, type TunnelRecord } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';
import { deriveInterfaceName, displayNameProblem } from '../wgconf/interface-name.js';
import { publicKeyOf } from '../wgconf/keys.js';
import type { ConfigIssue, ScriptHook, ScriptReport, WgConfig } from '../wgconf/model.js';
import { checkConfigText } from '../wgconf/parser.js';
import { writeConfig, writeForWgQuick } from '../wgconf/writer.js';

export interface ImportOptions {
  name: string;
  allowScripts?: boolean;
  source?: TunnelRecord['source'];
}

export interface ImportResult {
  tunnel: TunnelRecord;
  warnings: ConfigIssue[];
  scripts: ScriptReport[];
}

const EDIT_HEADER =
  '# The private key and any preshared keys stay sealed and are kept: write a PrivateKey or\n' +
  '# PresharedKey line only to replace one.\n';

export class ConfigRejectedError extends UserError {
  constructor(readonly issues: ConfigIssue[]) {
    const [first] = issues;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super(`line ${first!.line}: ${first!.message}${more}`);
    this.name = 'ConfigRejectedError';
  }
}

export class TunnelStore {
  constructor(
    private readonly store: StateStore,
    private readonly keyring: Keyring,
  ) {}

  list(): TunnelRecord[] {
    return Object.values(this.store.read().tunnels).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): TunnelRecord {
    const t = this.store.read().tunnels[name];
    if (!t) throw new NotFoundError('tunnel', name);
    return t;
  }

  async importText(text: string | Uint8Array, options: ImportOptions): Promise<ImportResult> {
    const problem = displayNameProblem(options.name);
    if (problem) throw new UserError(problem);
    const report = checkConfigText(text);
    if (!report.config) throw new ConfigRejectedError(report.errors);
    return this.add(report.config, options, report.warnings, report.scripts);
  }

  /** Adds a parsed config; the private key is sealed before anything is written. */
  async add(
    config: WgConfig,
    options: ImportOptions,
    warnings: ConfigIssue[] = [],
    scripts: ScriptReport[] = [],
  ): Promise<ImportResult> {
    const insert = await this.prepare(config, options);
    return this.store.update((d) => ({ tunnel: insert(d), warnings, scripts }));
  }

  /**
   * Seals the key now and returns the write to make inside a store update, so that a caller can commit the
   * tunnel together with other state (a network's access) in one atomic write.
   */
  async prepare(config: WgConfig, options: ImportOptions): Promise<(d: StoreData) => TunnelRecord> {
    const problem = displayNameProblem(options.name);
    if (problem) throw new UserError(problem);
    const privateKey = config.interface.privateKey;
    if (!privateKey) throw new UserError('The config has no PrivateKey');
    if (this.store.read().tunnels[options.name]) {
      throw new UserError(
        `A tunnel named "${options.name}" already exists: remove it first or choose another name`,
      );
    }
    const sealed = await this.keyring.seal(privateKey);
    const { privateKey: _drop, saveConfig: _neutralised, ...publicInterface } = config.interface;
    return (d) => {
      // Re-checked inside the update: the file may have changed while the passphrase was being asked.
      if (d.tunnels[options.name]) throw new UserError(`A tunnel named "${options.name}" already exists`);
      const taken = new Set(Object.values(d.tunnels).map((t) => t.interface));
      const tunnel: TunnelRecord = {
        name: options.name,
        interface: deriveInterfaceName(options.name, taken),
        publicKey: publicKeyOf(privateKey),
        config: { interface: publicInterface, peers: config.peers },
        allowScripts: options.allowScripts ?? false,
        source: options.source ?? 'import',
        createdAt: new Date().toISOString(),
      };
      d.tunnels[tunnel.name] = tunnel;
      d.secrets[secretIdForTunnel(tunnel.name)] = sealed;
      return tunnel;
    };
  }

  /** The full config with its private key, scripts included: the user's own file, given back. */
  async exportText(name: string): Promise<string> {
    return writeConfig(await this.fullConfig(name));
  }

  /** The text handed to wg-quick: scripts only if this tunnel may run them, never SaveConfig. */
  async wgQuickText(name: string): Promise<string> {
    const tunnel = this.get(name);
    return writeForWgQuick(await this.fullConfig(name), tunnel.allowScripts);
  }

  /**
   * The config as the window's editor shows it: everything but the secrets. A PrivateKey or PresharedKey
   * line written into it replaces that secret; left out, the sealed one is kept.
   */
  editableText(name: string): string {
    const { config } = this.get(name);
    const { privateKey: _k, ...iface } = config.interface;
    const peers = config.peers.map(({ presharedKey: _p, ...p }) => p);
    return EDIT_HEADER + writeConfig({ interface: iface, peers });
  }

  /** Checks an edit with the same line-numbered rules as an import; a missing PrivateKey is the kept one. */
  checkEdit(text: string) {
    return checkConfigText(text, { privateKeyOptional: true });
  }

  /**
   * Replaces a tunnel's config with an edit of `editableText`. Secrets the text leaves out are kept (the key,
   * and each peer's preshared key, found by the peer's public key). Scripts that were allowed stay allowed
   * only if the edit left them exactly as they were: a new command needs a new, explicit allow.
   */
  async replaceConfig(name: string, text: string): Promise<ImportResult & { scriptsBlocked: boolean }> {
    const report = this.checkEdit(text);
    if (!report.config) throw new ConfigRejectedError(report.errors);
    const edited = report.config;
    const before = this.get(name);
    const newKey = edited.interface.privateKey;
    const sealed = newKey ? await this.keyring.seal(newKey) : undefined;
    return this.store.update((d) => {
      const t = d.tunnels[name];
      if (!t) throw new NotFoundError('tunnel', name);
      if (t.createdAt !== before.createdAt)
        throw new UserError(`"${name}" was replaced meanwhile: reload it and edit again`);
      const oldPsk = new Map(t.config.peers.map((p) => [p.publicKey, p.presharedKey]));
      const { privateKey: _k, saveConfig: _s, ...publicInterface } = edited.interface;
      const peers = edited.peers.map((p) => ({
        ...p,
        presharedKey: p.presharedKey ?? oldPsk.get(p.publicKey),
      }));
      for (const p of peers) if (p.presharedKey === undefined) delete p.presharedKey;
      const sameScripts =
        JSON.stringify(t.config.interface.scripts) === JSON.stringify(publicInterface.scripts);
      const allowScripts = t.allowScripts && sameScripts;
      const tunnel: TunnelRecord = {
        ...t,
        publicKey: newKey ? publicKeyOf(newKey) : t.publicKey,
        config: { interface: publicInterface, peers },
        allowScripts,
      };
      d.tunnels[name] = tunnel;
      if (sealed) d.secrets[secretIdForTunnel(name)] = sealed;
      return {
        tunnel,
        warnings: report.warnings,
        scripts: report.scripts,
        scriptsBlocked: t.allowScripts && !allowScripts,
      };
    });
  }

  /** Allows or blocks a tunnel's hooks. `shown` are the hooks the user was shown: if the config changed
   * meanwhile, nothing is allowed that they did not see. */
  setAllowScripts(name: string, allow: boolean, shown: ScriptHook[]): void {
    this.store.update((d) => {
      const t = d.tunnels[name];
      if (!t) throw new NotFoundError('tunnel', name);
      if (allow && JSON.stringify(t.config.interface.scripts) !== JSON.stringify(shown))
        throw new UserError(`The hooks of "${name}" changed meanwhile: look at them again`);
      t.allowScripts = allow;
    });
  }

  /** Renames a tunnel; its interface name, sealed key and network access follow it. */
  rename(name: string, newName: string): TunnelRecord {
    const problem = displayNameProblem(newName);
    if (problem) throw new UserError(problem);
    return this.store.update((d) => {
      const t = d.tunnels[name];
      if (!t) throw new NotFoundError('tunnel', name);
      if (newName === name) return t;
      if (d.tunnels[newName]) throw new UserError(`A tunnel named "${newName}" already exists`);
      const renamed = { ...t, name: newName };
      delete d.tunnels[name];
      d.tunnels[newName] = renamed;
      const sealed = d.secrets[secretIdForTunnel(name)];
      delete d.secrets[secretIdForTunnel(name)];
      if (sealed !== undefined) d.secrets[secretIdForTunnel(newName)] = sealed;
      for (const net of Object.values(d.networks)) {
        for (const a of net.accesses) if (a.tunnelName === name) a.tunnelName = newName;
      }
      return renamed;
    });
  }

  remove(name: string): void {
    this.store.update((d) => {
      if (!d.tunnels[name]) throw new NotFoundError('tunnel', name);
      delete d.tunnels[name];
      delete d.secrets[secretIdForTunnel(name)];
    });
  }

  private async fullConfig(name: string): Promise<WgConfig> {
    const tunnel = this.get(name);
    const sealed = this.store.read().secrets[secretIdForTunnel(name)];
    if (!sealed) throw new UserError(`The private key of tunnel "${name}" is missing from the store`);
    const privateKey = await this.keyring.open(sealed);
    return { interface: { ...tunnel.config.interface, privateKey }, peers: tunnel.config.peers };
  }
}
