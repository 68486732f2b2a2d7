/** Typed model of a wg-quick configuration file. Values are kept as the user wrote them (trimmed), after
 * validation, so that parse → write → parse is the identity and nothing the user wrote is reinterpreted. */

export type ScriptKey = 'PreUp' | 'PostUp' | 'PreDown' | 'PostDown';
export const SCRIPT_KEYS: readonly ScriptKey[] = ['PreUp', 'PostUp', 'PreDown', 'PostDown'];

export interface ScriptHook {
  key: ScriptKey;
  command: string;
}

export interface InterfaceSection {
  privateKey?: string;
  listenPort?: number;
  /** `off` or a number as written (decimal or 0x hex). */
  fwMark?: string;
  addresses: string[];
  dns: string[];
  mtu?: number;
  table?: string;
  /** Script hooks in file order. wg-quick runs them as root with eval: they are quarantined. */
  scripts: ScriptHook[];
  saveConfig?: boolean;
}

export interface PeerSection {
  publicKey: string;
  presharedKey?: string;
  allowedIPs: string[];
  endpoint?: string;
  /** 0 means off. */
  persistentKeepalive?: number;
}

export interface WgConfig {
  interface: InterfaceSection;
  peers: PeerSection[];
}

/** A problem found in a config, anchored to the 1-based line the user has to edit. */
export interface ConfigIssue {
  line: number;
  message: string;
}

export interface ScriptReport extends ScriptHook {
  line: number;
}
