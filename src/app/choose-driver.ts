/**
 * How this process brings tunnels up, in order of preference: through the privileged helper when it is
 * reachable (no prompt, handshakes visible); directly when we are root; otherwise by asking for
 * administrator rights per action, with a hint that installing the helper ends the prompts: on Linux
 * through pkexec run directly, the config text on its stdin (see pkexec-wg-quick.ts for why not
 * sudo-prompt there), elsewhere through sudo-prompt.
 */
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { pkexecConfigRunner } from '../core/tunnels/pkexec-wg-quick.js';
import { adapterFor } from '../core/tunnels/platform-adapters.js';
import { directRunner, elevatedRunner, isRoot, type ElevateFn } from '../core/tunnels/runner.js';
import { findTools } from '../core/tunnels/tool-paths.js';
import type { TunnelDriver } from '../core/tunnels/tunnel-driver.js';
import { WgQuickDriver } from '../core/tunnels/wg-quick-driver.js';
import { HelperClient, HelperDriver, HelperTimeoutError } from '../helper/client.js';
import { defaultSocketPath, HELPER_GROUP } from '../helper/protocol.js';

export interface DriverChoice {
  driver: TunnelDriver;
  via: 'helper' | 'root' | 'elevation';
  /** A sentence for the user when the choice is not the best one and they can change that. */
  hint?: string;
}

/** A helper that accepts the connection must also answer: asked its version, within this. */
export const HELPER_PROBE_TIMEOUT_MS = 2000;

export interface ChooseOptions {
  dataDir: string;
  /** An explicit helper socket (`--helper`, OVERLAY_CONNECT_HELPER): failing to reach it is an error. */
  helperPath?: string;
  elevate: ElevateFn;
  platform?: NodeJS.Platform;
  /** How long the helper may take to answer the probe (HELPER_PROBE_TIMEOUT_MS). */
  probeTimeoutMs?: number;
  /** The socket tried when helperPath is not given (defaultSocketPath: tests set another). */
  defaultSocket?: string;
}

/** Connects and asks the version: a helper that accepts but never answers (hung, or something else on
 * the socket) is treated as one that is not there, instead of every later request hanging on it. */
async function probeHelper(path: string, timeoutMs: number): Promise<HelperClient> {
  const client = await HelperClient.connect(path, timeoutMs);
  try {
    await client.version(timeoutMs);
    return client;
  } catch (e) {
    client.close();
    throw e;
  }
}

export async function chooseDriver(o: ChooseOptions): Promise<DriverChoice> {
  const platform = o.platform ?? process.platform;
  let hint: string | undefined;
  if (platform !== 'win32') {
    const path = o.helperPath ?? o.defaultSocket ?? defaultSocketPath(platform);
    try {
      const client = await probeHelper(path, o.probeTimeoutMs ?? HELPER_PROBE_TIMEOUT_MS);
      return { driver: new HelperDriver(client), via: 'helper' };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'EACCES'
          ? `you are not (yet) in the group "${HELPER_GROUP}": log out and in again after \`overlay-connect helper install\``
          : code === 'ENOENT'
            ? 'it is not running'
            : e instanceof HelperTimeoutError
              ? 'it accepts connections but does not answer (restart it: `sudo systemctl restart overlay-connect-helper`)'
              : (e as Error).message;
      if (o.helperPath) throw new UserError(`Cannot reach the helper at ${path}: ${why}`);
      if (code !== 'ENOENT') hint = `The helper at ${path} cannot be used: ${why}`;
    }
  }
  const tools = findTools(platform);
  const base = { runDir: join(o.dataDir, 'run'), adapter: adapterFor(platform, tools), tools };
  if (isRoot())
    return {
      driver: new WgQuickDriver({ ...base, runner: directRunner, queryRunner: directRunner }),
      via: 'root',
    };
  hint ??=
    platform === 'win32'
      ? undefined
      : 'Each connect asks for administrator rights: `overlay-connect helper install` asks once and ends that';
  // Linux: root must read nothing the user can write, so it gets the config's text, not a path.
  const configRunner = platform === 'linux' ? pkexecConfigRunner(base.adapter) : undefined;
  return {
    driver: new WgQuickDriver({ ...base, runner: elevatedRunner(o.elevate, { platform }), configRunner }),
    via: 'elevation',
    hint,
  };
}
