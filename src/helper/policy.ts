/**
 * The helper's policy, set by the administrator in a root-owned file. Script hooks (PreUp/PostUp/…) run as
 * root inside wg-quick, so whether they may run is the machine owner's decision, not the client's — the
 * model is WireGuard for Windows' `DangerousScriptExecution` registry switch.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface HelperPolicy {
  allowScripts: boolean;
  /** Why the file was not used, when it exists but cannot be trusted or read. */
  problem?: string;
}

const DEFAULT: HelperPolicy = { allowScripts: false };

/** True when only root can change the file: root owns it and every folder above it, and no group or other
 * may write any of them. The helper reads nothing an unprivileged process can write. */
function rootControlled(path: string): string | undefined {
  let p = path;
  for (;;) {
    const st = lstatSync(p);
    if (st.uid !== 0) return `${p} is not owned by root`;
    if (st.mode & 0o022 && !(st.isDirectory() && st.mode & 0o1000))
      return `${p} is writable by others than root`;
    if (p !== path && st.isSymbolicLink()) return `${p} is a symbolic link`;
    if (p === path && !st.isFile()) return `${p} is not a regular file`;
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
  }
}

export function readPolicy(path: string): HelperPolicy {
  let text: string;
  try {
    const problem = rootControlled(path);
    if (problem) return { ...DEFAULT, problem: `${problem}: the policy file is ignored` };
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT;
    return { ...DEFAULT, problem: `${path}: ${(e as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ...DEFAULT, problem: `${path} is not JSON: the policy file is ignored` };
  }
  const allow = (value as { allowScripts?: unknown } | null)?.allowScripts;
  if (typeof value !== 'object' || value === null || (allow !== undefined && typeof allow !== 'boolean')) {
    return {
      ...DEFAULT,
      problem: `${path} must be {"allowScripts": true|false}: the policy file is ignored`,
    };
  }
  return { allowScripts: allow === true };
}
