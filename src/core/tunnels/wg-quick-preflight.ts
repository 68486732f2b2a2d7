/**
 * The checks made before wg-quick up runs, so that it fails with a reason the user can act on rather than
 * halfway: the config parses, the tools it needs are installed (wireguard-go where the kernel has no
 * WireGuard), DNS is not set where wg-quick would change the host's resolver, and the name is not an
 * interface something else started. Apart from the driver: nothing here runs anything or writes a file.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { checkConfigText } from '../wgconf/parser.js';
import type { PlatformAdapter } from './platform-adapters.js';
import { installHint, type ToolPaths } from './tool-paths.js';
import type { UpRequest } from './tunnel-driver.js';

export interface PreflightOptions {
  adapter: PlatformAdapter;
  tools: ToolPaths;
  /** Whether the kernel has WireGuard (else wg-quick must use wireguard-go). */
  kernelWireguard?: () => boolean;
}

/** Whether wg-quick must use wireguard-go, and the config's private key; throws what would stop `up`. */
export function preflight(
  req: UpRequest,
  o: PreflightOptions,
): { userspace: boolean; privateKey: string | undefined } {
  const { tools, adapter } = o;
  const report = checkConfigText(req.config);
  if (!report.config)
    throw new UserError(
      `The config is not valid: line ${report.errors[0]!.line}: ${report.errors[0]!.message}`,
    );
  const privateKey = report.config.interface.privateKey;
  let userspace = false;
  if (adapter.platform === 'linux') {
    if (!tools.wgQuick) throw new UserError(`wg-quick was not found: ${installHint('wgQuick', 'linux')}`);
    if (!tools.wg) throw new UserError(`wg was not found: ${installHint('wg', 'linux')}`);
    if (req.netns && !tools.ip) throw new UserError(`ip was not found: ${installHint('ip', 'linux')}`);
    const kernel = o.kernelWireguard ? o.kernelWireguard() : existsSync('/sys/module/wireguard');
    if (!kernel) {
      if (!tools.wireguardGo)
        throw new UserError(
          `This kernel has no WireGuard module and wireguard-go is not installed: ${installHint('wireguardGo', 'linux')}`,
        );
      userspace = true;
    }
    // In a namespace, wg-quick's resolvconf would still change the host's resolver (ip netns exec keeps
    // /etc/resolv.conf unless /etc/netns/NAME has its own): DNS stays out of namespaced tunnels.
    if (req.netns && report.config.interface.dns.length)
      throw new UserError(
        "The config sets DNS, which a tunnel in a network namespace cannot use: wg-quick would change the host's resolver. Remove the DNS line for --netns",
      );
    if (report.config.interface.dns.length && !tools.resolvconf) {
      throw new UserError(
        `The config sets DNS, and wg-quick needs resolvconf for that: ${installHint('resolvconf', 'linux')}`,
      );
    }
    if (!req.netns && existsSync(`/sys/class/net/${req.iface}`)) {
      throw new UserError(
        `An interface named ${req.iface} already exists and was not started by overlay-connect`,
      );
    }
  }
  return { userspace, privateKey };
}
