/**
 * The helper's policy, set by the administrator in a root-owned file. Script hooks (PreUp/PostUp/…) run as
 * root inside wg-quick, so whether they may run is the machine owner's decision, not the client's — the
 * model is WireGuard for Windows' `DangerousScriptExecution` registry switch. With scripts allowed, every
 * member of the helper's group can run any command as root.
 *
 *   {"allowScripts": false, "maxTunnelsPerUser": 16}
 */
import { readFileSync } from 'node:fs';
import { rootOnlyProblem } from './root-paths.js';

export interface HelperPolicy {
  allowScripts: boolean;
  /** How many tunnels one user may have up through the helper at once (each is a wireguard-go of root's). */
  maxTunnelsPerUser: number;
  /** Why the file was not used, when it exists but cannot be trusted or read. */
  problem?: string;
}

export const DEFAULT_POLICY: HelperPolicy = { allowScripts: false, maxTunnelsPerUser: 16 };
const SHAPE = '{"allowScripts": true|false, "maxTunnelsPerUser": 1…1024}';

export function readPolicy(path: string): HelperPolicy {
  let text: string;
  try {
    // Only a file only root can change is trusted: the helper reads nothing an unprivileged process can write.
    const problem = rootOnlyProblem(path, 'file');
    if (problem) return { ...DEFAULT_POLICY, problem: `${problem}: the policy file is ignored` };
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_POLICY;
    return { ...DEFAULT_POLICY, problem: `${path}: ${(e as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ...DEFAULT_POLICY, problem: `${path} is not JSON: the policy file is ignored` };
  }
  const v = value as { allowScripts?: unknown; maxTunnelsPerUser?: unknown } | null;
  const bad = () => ({ ...DEFAULT_POLICY, problem: `${path} must be ${SHAPE}: the policy file is ignored` });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad();
  if (Object.keys(v).some((k) => k !== 'allowScripts' && k !== 'maxTunnelsPerUser')) return bad();
  if (v.allowScripts !== undefined && typeof v.allowScripts !== 'boolean') return bad();
  const max = v.maxTunnelsPerUser;
  if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= 1024))
    return bad();
  return {
    allowScripts: v.allowScripts === true,
    maxTunnelsPerUser: (max as number | undefined) ?? DEFAULT_POLICY.maxTunnelsPerUser,
  };
}
