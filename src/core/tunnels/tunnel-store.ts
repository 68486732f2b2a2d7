/**
 * The tunnels the user has: imported configs and network accesses. Public parts are in the state file; a
 * tunnel's secrets (its private key and its peers' preshared keys) are sealed together as one entry,
 * bound to the tunnel's name, and written in the same atomic write as the tunnel.
 */
import { NotFoundError, UserError } from '../errors.js';
import type { KeyedMigration, Keyring } from '../store/keyring.js';
import { secretIdForTunnel, type StoreData, type TunnelRecord } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';
import { deriveInterfaceName, displayNameProblem } from '../wgconf/interface-name.js';
import { publicKeyOf } from '../wgconf/keys.js';
import type { ConfigIssue, PeerSection, ScriptHook, ScriptReport, WgConfig } from '../wgconf/model.js';
import { checkConfigText } from '../wgconf/parser.js';
import { writeConfig, writeForWgQuick } from '../wgconf/writer.js';
import { decodeTunnelSecrets, encodeTunnelSecrets, type TunnelSecrets } from './tunnel-secrets.js';

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

/** The peers as stored: without their preshared keys, which are sealed with the tunnel's key. */
const publicPeers = (peers: PeerSection[]) => peers.map(({ presharedKey: _psk, ...p }) => p);
const presharedKeysOf = (peers: PeerSection[]) =>
  Object.fromEntries(peers.flatMap((p) => (p.presharedKey ? [[p.publicKey, p.presharedKey]] : [])));

/** Stores made before preshared keys were sealed kept them in the clear in the config: sealed at unlock. */
export const sealClearPresharedKeys: KeyedMigration = {
  needed: (d) => Object.values(d.tunnels).some((t) => t.config.peers.some((p) => p.presharedKey)),
  apply(d, seal, open) {
    for (const t of Object.values(d.tunnels)) {
      const clear = presharedKeysOf(t.config.peers);
      if (!Object.keys(clear).length) continue;
      const id = secretIdForTunnel(t.name);
      const sealed = d.secrets[id];
      if (sealed === undefined) continue;
      const secrets = decodeTunnelSecrets(open(id, sealed));
      d.secrets[id] = seal(
        id,
        encodeTunnelSecrets({ ...secrets, presharedKeys: { ...clear, ...secrets.presharedKeys } }),
      );
      t.config.peers = publicPeers(t.config.peers);
    }
  },
};

export class TunnelStore {
  constructor(
    private readonly store: StateStore,
    private readonly keyring: Keyring,
  ) {
    keyring.addMigration(sealClearPresharedKeys);
  }

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

  /**
   * Imports several configs (an archive's) in one store write: each is checked and sealed first, then all
   * that pass are added in a single atomic update. Each is imported or refused on its own: the outcome at
   * index i is item i's result or the error that refused it (nothing is written when all are refused).
   */
  async importMany(
    items: Array<{ text: string | Uint8Array; options: ImportOptions }>,
  ): Promise<Array<ImportResult | Error>> {
    type Prepared = { insert: (d: StoreData) => TunnelRecord; report: ReturnType<typeof checkConfigText> };
    const prepared: Array<Prepared | Error> = [];
    const names = new Set<string>();
    for (const { text, options } of items) {
      try {
        const problem = displayNameProblem(options.name);
        if (problem) throw new UserError(problem);
        const report = checkConfigText(text);
        if (!report.config) throw new ConfigRejectedError(report.errors);
        if (names.has(options.name))
          throw new UserError(
            `A tunnel named "${options.name}" already exists: remove it first or choose another name`,
          );
        const insert = await this.prepare(report.config, options);
        names.add(options.name);
        prepared.push({ insert, report });
      } catch (e) {
        prepared.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (prepared.every((p) => p instanceof Error)) return prepared;
    return this.store.update((d) =>
      prepared.map((p) => {
        if (p instanceof Error) return p;
        try {
          return { tunnel: p.insert(d), warnings: p.report.warnings, scripts: p.report.scripts };
        } catch (e) {
          return e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
  }

  /** Adds a parsed config; its secrets are sealed before anything is written. */
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
   * Seals the secrets now and returns the write to make inside a store update, so that a caller can commit
   * the tunnel together with other state (a network's access) in one atomic write.
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
    const id = secretIdForTunnel(options.name);
    const sealed = await this.keyring.seal(
      id,
      encodeTunnelSecrets({ privateKey, presharedKeys: presharedKeysOf(config.peers) }),
    );
    const { privateKey: _drop, saveConfig: _neutralised, ...publicInterface } = config.interface;
    return (d) => {
      // Re-checked inside the update: the file may have changed while the passphrase was being asked.
      if (d.tunnels[options.name]) throw new UserError(`A tunnel named "${options.name}" already exists`);
      const taken = new Set(Object.values(d.tunnels).map((t) => t.interface));
      const tunnel: TunnelRecord = {
        name: options.name,
        interface: deriveInterfaceName(options.name, taken),
        publicKey: publicKeyOf(privateKey),
        config: { interface: publicInterface, peers: publicPeers(config.peers) },
        allowScripts: options.allowScripts ?? false,
        source: options.source ?? 'import',
        createdAt: new Date().toISOString(),
      };
      d.tunnels[tunnel.name] = tunnel;
      d.secrets[id] = sealed;
      return tunnel;
    };
  }

  /** The full config with its secrets, scripts included: the user's own file, given back. */
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
    return EDIT_HEADER + writeConfig({ interface: iface, peers: publicPeers(config.peers) });
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
    const { record: before, sealed: oldSealed, secrets: old } = await this.openSecrets(name);
    const secrets: TunnelSecrets = {
      privateKey: edited.interface.privateKey ?? old.privateKey,
      presharedKeys: Object.fromEntries(
        edited.peers.flatMap((p) => {
          const psk = p.presharedKey ?? old.presharedKeys[p.publicKey];
          return psk ? [[p.publicKey, psk]] : [];
        }),
      ),
    };
    const id = secretIdForTunnel(name);
    const sealed = await this.keyring.seal(id, encodeTunnelSecrets(secrets));
    return this.store.update((d) => {
      const t = d.tunnels[name];
      if (!t) throw new NotFoundError('tunnel', name);
      if (t.createdAt !== before.createdAt || d.secrets[id] !== oldSealed)
        throw new UserError(`"${name}" was changed meanwhile: reload it and edit again`);
      const { privateKey: _k, saveConfig: _s, ...publicInterface } = edited.interface;
      const sameScripts =
        JSON.stringify(t.config.interface.scripts) === JSON.stringify(publicInterface.scripts);
      const allowScripts = t.allowScripts && sameScripts;
      const tunnel: TunnelRecord = {
        ...t,
        publicKey: publicKeyOf(secrets.privateKey),
        config: { interface: publicInterface, peers: publicPeers(edited.peers) },
        allowScripts,
      };
      d.tunnels[name] = tunnel;
      d.secrets[id] = sealed;
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

  /** Renames a tunnel; its interface name, secrets and network access follow it. The secrets are sealed
   * again, since each is bound to its entry's name. */
  async rename(name: string, newName: string): Promise<TunnelRecord> {
    const problem = displayNameProblem(newName);
    if (problem) throw new UserError(problem);
    const current = this.get(name);
    if (newName === name) return current;
    const { sealed: oldSealed, secrets } = await this.openSecrets(name);
    const resealed = await this.keyring.seal(secretIdForTunnel(newName), encodeTunnelSecrets(secrets));
    return this.store.update((d) => {
      const t = d.tunnels[name];
      if (!t) throw new NotFoundError('tunnel', name);
      if (d.tunnels[newName]) throw new UserError(`A tunnel named "${newName}" already exists`);
      if (d.secrets[secretIdForTunnel(name)] !== oldSealed)
        throw new UserError(`"${name}" was changed meanwhile: try again`);
      const renamed = { ...t, name: newName };
      delete d.tunnels[name];
      d.tunnels[newName] = renamed;
      delete d.secrets[secretIdForTunnel(name)];
      d.secrets[secretIdForTunnel(newName)] = resealed;
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

  private async openSecrets(name: string) {
    this.get(name);
    await this.keyring.unlock(); // may seal preshared keys kept in the clear by an older version
    const record = this.get(name);
    const sealed = this.store.read().secrets[secretIdForTunnel(name)];
    if (!sealed) throw new UserError(`The private key of tunnel "${name}" is missing from the store`);
    const secrets = decodeTunnelSecrets(await this.keyring.open(secretIdForTunnel(name), sealed));
    return { record, sealed, secrets };
  }

  private async fullConfig(name: string): Promise<WgConfig> {
    const { record, secrets } = await this.openSecrets(name);
    return {
      interface: { ...record.config.interface, privateKey: secrets.privateKey },
      peers: record.config.peers.map((p) => {
        const psk = secrets.presharedKeys[p.publicKey];
        return psk ? { ...p, presharedKey: psk } : p;
      }),
    };
  }
}
