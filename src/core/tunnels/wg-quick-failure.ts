/**
 * What the user is told when wg-quick fails: the error a failed up or down raises, and the line of
 * wg-quick's output that says what went wrong, with a hint for the known cases. Apart from the driver
 * because the tunnel service and the helper's client raise and re-export the same error.
 */
import { UserError } from '../errors.js';
import { installHint } from './tool-paths.js';

export class TunnelOperationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TunnelOperationError';
  }
}

/** The line of wg-quick's output that says what went wrong, with a hint for the known cases. */
export function explainFailure(stderr: string, iface: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^[│┌└]/.test(l) && !l.startsWith('[#]') && !l.startsWith('[!]'));
  const text = lines.slice(-2).join('; ') || 'wg-quick failed without saying why';
  if (/resolvconf: command not found/.test(text)) return `${text} (${installHint('resolvconf', 'linux')})`;
  if (/unix socket in use/.test(text))
    return `another WireGuard interface named ${iface} is running (perhaps in another network namespace)`;
  if (/Address already in use/i.test(text))
    return `${text} (the ListenPort is taken by another program or tunnel)`;
  return text;
}
