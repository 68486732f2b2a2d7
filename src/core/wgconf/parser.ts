/**
 * Parser for the wg-quick configuration grammar: the keys wg(8) reads plus the ones wg-quick(8) adds.
 * Headers and keys are case-insensitive, CRLF and a UTF-8 BOM (or UTF-16 from Windows) are accepted,
 * `#` starts a comment everywhere, script values included (as wg-quick reads them). Every problem is
 * reported with its line; nothing throws except `ConfigError` from `parseConfig`.
 */
import { keyProblem } from './keys.js';
import type {
  ConfigIssue,
  InterfaceSection,
  PeerSection,
  ScriptKey,
  ScriptReport,
  WgConfig,
} from './model.js';
import { SCRIPT_KEYS } from './model.js';
import {
  checkDnsItem,
  checkEndpoint,
  privateEndpointRange,
  checkFwMark,
  checkKeepalive,
  checkMtu,
  checkPort,
  checkTable,
  parseCidr,
  splitList,
} from './values.js';

/**
 * Text from the file quoted in an error, with anything that may be a key (a run of 20 or more base64
 * characters) cut to its first 4 characters: a line that is not `Key = Value` is often a key pasted on its
 * own, or `PrivateKey: <key>`, and errors reach terminals, logs and the window.
 */
export function cut(text: string): string {
  const shown = redactKeyLike(text);
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

/** Every run that may be a key (20 or more base64 characters) cut to its first 4 characters. Applied to
 * every message the parser makes: a key pasted into the wrong key (DNS, Endpoint, a section header) would
 * otherwise be quoted back whole. */
export function redactKeyLike(text: string): string {
  return text.replace(/[A-Za-z0-9+/_-]{20,}={0,2}/g, (run) => `${run.slice(0, 4)}…`);
}

export interface ParseReport {
  /** Present exactly when `errors` is empty. */
  config?: WgConfig;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  scripts: ScriptReport[];
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `line ${i.line}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const INTERFACE_KEYS = [
  'PrivateKey',
  'ListenPort',
  'FwMark',
  'Address',
  'DNS',
  'MTU',
  'Table',
  ...SCRIPT_KEYS,
  'SaveConfig',
];
const PEER_KEYS = ['PublicKey', 'PresharedKey', 'AllowedIPs', 'Endpoint', 'PersistentKeepalive'];
const canonical = new Map([...INTERFACE_KEYS, ...PEER_KEYS].map((k) => [k.toLowerCase(), k]));
const scriptKeys = new Set(SCRIPT_KEYS.map((k) => k.toLowerCase()));

/** Decodes file bytes the way WireGuard clients do: UTF-8 (BOM optional), or UTF-16 with a BOM. */
export function decodeConfigBytes(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
    return swapped.swap16().toString('utf16le');
  }
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

interface PeerDraft extends Partial<PeerSection> {
  allowedIPs: string[];
  headerLine: number;
  publicKeyLine?: number;
  /** A PublicKey line was there but invalid (already reported): don't also say it is missing. */
  badPublicKey?: boolean;
}

export interface CheckOptions {
  /** An edit of a stored tunnel: its sealed key is kept when the text has none. */
  privateKeyOptional?: boolean;
}

/** Parses and validates; never throws. */
export function checkConfigText(input: string | Uint8Array, options: CheckOptions = {}): ParseReport {
  const text = decodeConfigBytes(input);
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const scripts: ScriptReport[] = [];
  const iface: InterfaceSection = { addresses: [], dns: [], scripts: [] };
  const peers: PeerDraft[] = [];
  let interfaceLine = 0;
  let badPrivateKey = false;
  let section: 'none' | 'interface' | 'peer' = 'none';
  const seenSingle = new Map<string, number>();

  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const err = (message: string) => errors.push({ line: lineNo, message });
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) {
      err('This line contains a control character; config files are plain text');
      return;
    }
    const eq = line.indexOf('=');
    const hash = line.indexOf('#');
    // wg-quick (Debian 12's too: `stripped="${line%%\#*}"`) cuts every line at its first '#', script values
    // included: `PostUp = echo a#b` runs `echo a`. So do we, and say so for a script, so that the hook
    // shown for review is the hook that runs.
    const stripped = (hash < 0 ? line : line.slice(0, hash)).trim();
    if (stripped === '') return;
    const kept = eq >= 0 && hash > eq ? stripped.slice(stripped.indexOf('=') + 1).trim() : '';
    if (kept && scriptKeys.has(line.slice(0, eq).trim().toLowerCase())) {
      warnings.push({
        line: lineNo,
        message: `Everything from the \`#\` on is a comment, as wg-quick reads it: this hook runs \`${cut(kept)}\` only`,
      });
    }

    if (stripped.startsWith('[')) {
      const header = stripped.toLowerCase();
      if (header === '[interface]') {
        if (interfaceLine) err(`A second [Interface] section; the first one is at line ${interfaceLine}`);
        else interfaceLine = lineNo;
        section = 'interface';
      } else if (header === '[peer]') {
        peers.push({ allowedIPs: [], headerLine: lineNo });
        section = 'peer';
      } else {
        err(`Unknown section \`${cut(stripped)}\`: only [Interface] and [Peer] exist`);
        section = 'none';
      }
      return;
    }
    if (!stripped.includes('=')) {
      err(`Expected \`Key = Value\`, found \`${cut(stripped)}\``);
      return;
    }
    const rawKey = stripped.slice(0, stripped.indexOf('=')).trim();
    const value = stripped.slice(stripped.indexOf('=') + 1).trim();
    const key = canonical.get(rawKey.toLowerCase());
    if (!key) {
      const hint =
        /\s/.test(rawKey) && canonical.has(rawKey.replace(/\s+/g, '').toLowerCase())
          ? `; write it without spaces: ${canonical.get(rawKey.replace(/\s+/g, '').toLowerCase())}`
          : '';
      err(`Unknown key \`${cut(rawKey)}\`${hint}`);
      return;
    }
    if (section === 'none') {
      err(`\`${key}\` must come after an [Interface] or [Peer] header`);
      return;
    }
    const inInterface = section === 'interface';
    if (inInterface !== INTERFACE_KEYS.includes(key)) {
      err(
        `\`${key}\` belongs in ${inInterface ? 'a [Peer]' : 'the [Interface]'} section, not in ${inInterface ? '[Interface]' : '[Peer]'}`,
      );
      return;
    }
    if (value === '') {
      err(`\`${key}\` has no value`);
      return;
    }
    const peer = peers[peers.length - 1];
    const single = [
      'PrivateKey',
      'ListenPort',
      'FwMark',
      'MTU',
      'Table',
      'SaveConfig',
      'PublicKey',
      'PresharedKey',
      'Endpoint',
      'PersistentKeepalive',
    ];
    if (single.includes(key)) {
      const scope = inInterface ? key : `${peers.length}:${key}`;
      const prev = seenSingle.get(scope);
      if (prev)
        warnings.push({
          line: lineNo,
          message: `${key} is set again; this value replaces the one at line ${prev}`,
        });
      seenSingle.set(scope, lineNo);
    }
    const set = <T>(result: T | string, apply: (v: T) => void) => {
      if (typeof result === 'string') err(result);
      else apply(result);
    };
    switch (key) {
      case 'PrivateKey': {
        const problem = keyProblem(key, value);
        if (problem) {
          err(problem);
          badPrivateKey = true;
        } else iface.privateKey = value;
        break;
      }
      case 'ListenPort':
        set(checkPort(key, value), (v) => (iface.listenPort = v));
        break;
      case 'FwMark': {
        const problem = checkFwMark(value);
        if (problem) err(problem);
        else iface.fwMark = value;
        break;
      }
      case 'Address':
        set(splitList(key, value), (items) => {
          for (const item of items) {
            const c = parseCidr(item);
            if (typeof c === 'string') err(`Address ${c}`);
            else iface.addresses.push(item);
          }
        });
        break;
      case 'DNS':
        set(splitList(key, value), (items) => {
          for (const item of items) {
            const problem = checkDnsItem(item);
            if (problem) err(problem);
            else iface.dns.push(item);
          }
        });
        break;
      case 'MTU':
        set(checkMtu(value), (v) => (iface.mtu = v));
        break;
      case 'Table': {
        const problem = checkTable(value);
        if (problem) err(problem);
        else iface.table = value;
        break;
      }
      case 'SaveConfig': {
        const b = value.toLowerCase();
        if (b !== 'true' && b !== 'false') err(`SaveConfig must be true or false, not \`${value}\``);
        else iface.saveConfig = b === 'true';
        break;
      }
      case 'PublicKey': {
        const problem = keyProblem(key, value);
        if (problem) {
          err(problem);
          peer!.badPublicKey = true;
        } else {
          peer!.publicKey = value;
          peer!.publicKeyLine = lineNo;
        }
        break;
      }
      case 'PresharedKey': {
        const problem = keyProblem(key, value);
        if (problem) err(problem);
        else peer!.presharedKey = value;
        break;
      }
      case 'AllowedIPs':
        set(splitList(key, value), (items) => {
          for (const item of items) {
            const c = parseCidr(item);
            if (typeof c === 'string') {
              err(`AllowedIPs ${c}`);
              continue;
            }
            if (c.hostBits) {
              warnings.push({
                line: lineNo,
                message: `AllowedIPs \`${item}\` has host bits set; WireGuard uses the network it belongs to`,
              });
            }
            peer!.allowedIPs.push(item);
          }
        });
        break;
      case 'Endpoint': {
        const problem = checkEndpoint(value);
        if (problem) err(problem);
        else {
          peer!.endpoint = value;
          // A common grid mistake: a node's LAN address. wg-quick accepts it; it works only inside that LAN.
          const range = privateEndpointRange(value);
          if (range)
            warnings.push({
              line: lineNo,
              message: `Endpoint ${value} is ${range}: this tunnel can connect only from inside that network; use the peer's public address`,
            });
        }
        break;
      }
      case 'PersistentKeepalive':
        set(checkKeepalive(value), (v) => (peer!.persistentKeepalive = v));
        break;
      default: {
        const hook = { key: key as ScriptKey, command: value };
        iface.scripts.push(hook);
        scripts.push({ ...hook, line: lineNo });
      }
    }
  });

  if (!interfaceLine) errors.push({ line: 1, message: 'There is no [Interface] section' });
  else if (!iface.privateKey && !badPrivateKey && !options.privateKeyOptional) {
    errors.push({ line: interfaceLine, message: '[Interface] has no PrivateKey' });
  }
  const byKey = new Map<string, number>();
  for (const p of peers) {
    if (!p.publicKey) {
      if (!p.badPublicKey) errors.push({ line: p.headerLine, message: 'This [Peer] has no PublicKey' });
      continue;
    }
    const first = byKey.get(p.publicKey);
    if (first)
      errors.push({
        line: p.publicKeyLine!,
        message: `Two peers have the same PublicKey (the first is at line ${first})`,
      });
    else byKey.set(p.publicKey, p.publicKeyLine!);
  }
  if (iface.saveConfig) {
    const line = seenSingle.get('SaveConfig')!;
    warnings.push({
      line,
      message: 'SaveConfig = true is ignored: wg-quick would rewrite the file from live state on `down`',
    });
  }
  for (const issue of [...errors, ...warnings]) issue.message = redactKeyLike(issue.message);
  errors.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);
  if (errors.length) return { errors, warnings, scripts };
  const config: WgConfig = {
    interface: iface,
    peers: peers.map(({ headerLine: _h, publicKeyLine: _l, badPublicKey: _b, ...p }) => p as PeerSection),
  };
  return { config, errors, warnings, scripts };
}

/** Parses a config or throws `ConfigError` listing every problem with its line. */
export function parseConfig(input: string | Uint8Array): WgConfig {
  const report = checkConfigText(input);
  if (!report.config) throw new ConfigError(report.errors);
  return report.config;
}
