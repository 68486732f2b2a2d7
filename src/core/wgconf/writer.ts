/** Writes the typed model back to wg-quick text, one key per line in a canonical order. */
import type { WgConfig } from './model.js';

export interface WriteOptions {
  /** Script hooks are written only when the tunnel was explicitly allowed to run them. */
  includeScripts: boolean;
  /** False for files handed to wg-quick: `SaveConfig = true` would make it rewrite our file on `down`. */
  includeSaveConfig: boolean;
}

const FAITHFUL: WriteOptions = { includeScripts: true, includeSaveConfig: true };

export function writeConfig(config: WgConfig, options: WriteOptions = FAITHFUL): string {
  const out: string[] = ['[Interface]'];
  const put = (key: string, value: string | number | undefined) => {
    if (value === undefined) return;
    const text = String(value);
    // The model is validated on parse; this guards models built in code from smuggling in extra lines.
    if (/[\r\n]/.test(text)) throw new Error(`${key} value contains a line break`);
    // wg-quick cuts every line at '#', script values too: a hook holding one would not run as shown.
    if (text.includes('#')) throw new Error(`${key} value contains '#'`);
    out.push(`${key} = ${text}`);
  };
  const i = config.interface;
  put('PrivateKey', i.privateKey);
  put('ListenPort', i.listenPort);
  put('FwMark', i.fwMark);
  if (i.addresses.length) put('Address', i.addresses.join(', '));
  if (i.dns.length) put('DNS', i.dns.join(', '));
  put('MTU', i.mtu);
  put('Table', i.table);
  if (options.includeScripts) for (const s of i.scripts) put(s.key, s.command);
  if (options.includeSaveConfig && i.saveConfig !== undefined) put('SaveConfig', String(i.saveConfig));
  for (const p of config.peers) {
    out.push('', '[Peer]');
    put('PublicKey', p.publicKey);
    put('PresharedKey', p.presharedKey);
    if (p.allowedIPs.length) put('AllowedIPs', p.allowedIPs.join(', '));
    put('Endpoint', p.endpoint);
    put('PersistentKeepalive', p.persistentKeepalive);
  }
  return out.join('\n') + '\n';
}

/** The text handed to wg-quick for one tunnel: scripts only when allowed, never SaveConfig. */
export function writeForWgQuick(config: WgConfig, allowScripts: boolean): string {
  return writeConfig(config, { includeScripts: allowScripts, includeSaveConfig: false });
}
