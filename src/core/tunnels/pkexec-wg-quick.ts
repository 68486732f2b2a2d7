/**
 * Linux without the helper: each up/down asks for administrator rights through pkexec, run directly.
 *
 * Why not sudo-prompt here (it stays for macOS and Windows): it runs `pkexec /bin/bash -c "…"` through
 * child_process.exec, so the user's /bin/sh expands the string once before root's bash does, and all it can
 * give root is a path: the file in the user's data folder, which a process of the same user could swap
 * (a PostUp hook running as root) or turn into a symlink (root reading /etc/shadow into wg-quick's error)
 * while the prompt is open. Run directly, pkexec gets an argument vector (no shell of the user's), and it
 * keeps our standard input. Root runs a constant script: only its positional parameters vary, each checked
 * here first. It reads the vetted config text from stdin (at most 64 KiB) into a fresh root-owned 0700
 * folder under /run, checks its SHA-256 against the one in its arguments, runs the adapter's wg-quick
 * command on that file, and removes the folder. Root reads nothing the user can write.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isValidInterfaceName } from '../wgconf/interface-name.js';
import { isShellSafe, NETNS_NAME, UnsafeArgumentError, type CommandLine } from './command-line.js';
import type { PlatformAdapter } from './platform-adapters.js';
import { ElevationError, type RunResult } from './runner.js';

/** What wg-quick is to do, with the config's text instead of a path: the runner decides where root reads it. */
export interface ConfigRun {
  action: 'up' | 'down';
  iface: string;
  netns?: string;
  userspace: boolean;
  /** The vetted text for wg-quick (hooks only if allowed). */
  config: string;
}

export type ConfigRunner = (run: ConfigRun) => Promise<RunResult>;

/** The most config text root takes from its stdin. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** `$0` of the script: how it shows in `ps` and in polkit's log. */
export const SCRIPT_NAME = 'overlay-connect-elevated';

/** The script's first line on stdout: pkexec ran it (anything after is the script's and wg-quick's). */
export const RAN_MARKER = 'OVERLAY-CONNECT-ELEVATED';

/** Stands for the config path while the adapter builds its command; the script appends the real one. */
const CONFIG_PATH_SLOT = '\0config';

/**
 * Run as root: `sh -c SCRIPT overlay-connect-elevated IFACE SHA256 ACTION [NETNS] -- COMMAND…`, the config
 * text on stdin. COMMAND is the adapter's wg-quick command without its config path (`[/usr/bin/env K=V…]
 * [ip netns exec NETNS] wg-quick ACTION`); the script appends `$dir/IFACE.conf` to it. A constant: never
 * build it from anything.
 */
export const ELEVATED_SCRIPT = `umask 077
printf '%s\\n' ${RAN_MARKER}
fail() { printf '%s\\n' "overlay-connect (as root): $1; wg-quick was not run" >&2; exit 3; }
[ $# -ge 5 ] || fail 'wrong arguments'
iface=$1 hash=$2 action=$3
shift 3
netns=
if [ "$1" != -- ]; then netns=$1; shift; fi
[ "$1" = -- ] || fail 'wrong arguments'
shift
case $iface in ''|.|..|*[!A-Za-z0-9_=+.-]*) fail 'not an interface name' ;; esac
[ \${#iface} -le 15 ] || fail 'not an interface name'
case $hash in *[!0-9a-f]*) fail 'not a SHA-256' ;; esac
[ \${#hash} -eq 64 ] || fail 'not a SHA-256'
case $action in up|down) ;; *) fail 'not up or down' ;; esac
case $netns in *[!A-Za-z0-9_.-]*) fail 'not a namespace name' ;; esac
[ $# -ge 2 ] || fail 'no command'
for last do :; done
[ "$last" = "$action" ] || fail 'the command does not end with its action'
if [ -n "$netns" ]; then
  case " $* " in *" netns exec $netns "*) ;; *) fail 'the command does not enter its namespace' ;; esac
fi
base=/run
[ -d "$base" ] || base=/tmp
dir=$(mktemp -d "$base/overlay-connect.XXXXXXXXXX") || fail 'cannot make a private folder'
trap 'rm -rf "$dir"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
conf=$dir/$iface.conf
head -c ${MAX_CONFIG_BYTES + 1} > "$conf" || fail 'cannot read the config'
size=$(wc -c < "$conf")
[ "$size" -le ${MAX_CONFIG_BYTES} ] || fail 'the config is over 64 KiB'
sum=$(sha256sum < "$conf") || fail 'cannot hash the config'
[ "\${sum%% *}" = "$hash" ] || fail 'the config received does not match its SHA-256'
"$@" "$conf" < /dev/null
status=$?
rm -rf "$dir"
trap - EXIT
exit "$status"
`;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The adapter's command as words for the script (env through /usr/bin/env), every one of them in
 * toShellString's safe set, without the config path (the script adds its own). */
export function commandWords(adapter: PlatformAdapter, run: Omit<ConfigRun, 'config'>): string[] {
  const req = { configPath: CONFIG_PATH_SLOT, iface: run.iface, netns: run.netns, userspace: run.userspace };
  const cmd: CommandLine = run.action === 'up' ? adapter.up(req) : adapter.down(req);
  if (cmd.args.at(-1) !== CONFIG_PATH_SLOT || cmd.args.indexOf(CONFIG_PATH_SLOT) !== cmd.args.length - 1)
    throw new Error('the wg-quick command must end with its config path');
  if (!cmd.file.startsWith('/')) throw new UnsafeArgumentError(cmd.file);
  const env = Object.entries(cmd.env ?? {}).map(([k, v]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new UnsafeArgumentError(k);
    return `${k}=${v}`;
  });
  const words = [...(env.length ? ['/usr/bin/env', ...env] : []), cmd.file, ...cmd.args.slice(0, -1)];
  for (const w of words) if (!isShellSafe(w)) throw new UnsafeArgumentError(w);
  return words;
}

/** pkexec's arguments: the constant script and its positional parameters, each checked here. */
export function pkexecArgs(
  adapter: PlatformAdapter,
  run: Omit<ConfigRun, 'config'>,
  sha256: string,
): string[] {
  if (!isValidInterfaceName(run.iface)) throw new UnsafeArgumentError(run.iface);
  if (run.action !== 'up' && run.action !== 'down') throw new UnsafeArgumentError(String(run.action));
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new UnsafeArgumentError(sha256);
  // A name starting with '-' would read as an option (to ip) or as the script's `--`.
  if (run.netns !== undefined && (!NETNS_NAME.test(run.netns) || run.netns.startsWith('-')))
    throw new UnsafeArgumentError(run.netns);
  return [
    '--disable-internal-agent',
    '/bin/sh',
    '-c',
    ELEVATED_SCRIPT,
    SCRIPT_NAME,
    run.iface,
    sha256,
    run.action,
    ...(run.netns !== undefined ? [run.netns] : []),
    '--',
    ...commandWords(adapter, run),
  ];
}

export const PKEXEC = '/usr/bin/pkexec';

/** Runs wg-quick as root through pkexec, the config text on its stdin (see the top of this file). */
export function pkexecConfigRunner(
  adapter: PlatformAdapter,
  options: { pkexec?: string; timeoutMs?: number } = {},
): ConfigRunner {
  const { pkexec = PKEXEC, timeoutMs = 5 * 60_000 } = options;
  return async (run) => {
    const bytes = Buffer.from(run.config, 'utf8'); // exactly what is hashed is what is sent
    if (bytes.length > MAX_CONFIG_BYTES)
      throw new ElevationError('The config is over 64 KiB; nothing was changed');
    const args = pkexecArgs(adapter, run, sha256Hex(bytes));
    if (!existsSync(pkexec))
      throw new ElevationError(
        `Cannot ask for administrator rights: ${pkexec} was not found (apt-get install --no-install-recommends pkexec)`,
      );
    return new Promise<RunResult>((resolve, reject) => {
      const child = spawn(pkexec, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => {
        settle(() =>
          reject(
            new ElevationError('No answer to the administrator prompt after 5 minutes; nothing was changed'),
          ),
        );
        child.kill(); // pkexec still runs as us while it waits for an answer
      }, timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      // Root reads at most what it needs: the rest of a refused input is not ours to force on it.
      child.stdin.on('error', () => undefined);
      child.stdin.end(bytes);
      child.on('error', (e) =>
        settle(() => reject(new ElevationError(`Cannot ask for administrator rights: ${e.message}`))),
      );
      child.on('close', (code, signal) =>
        settle(() => {
          const status = code ?? (signal ? 128 : 1);
          const ran = stdout.startsWith(`${RAN_MARKER}\n`);
          if (ran) return resolve({ code: status, stdout: stdout.slice(RAN_MARKER.length + 1), stderr });
          // The script never started: pkexec said no. 126: the dialog was dismissed; 127: not authorized,
          // or no way to ask.
          if (/No authentication agent found/.test(stderr))
            return reject(
              new ElevationError(
                'Cannot ask for administrator rights: No polkit authentication agent found. (a polkit agent must be running)',
              ),
            );
          if (status === 126 || status === 127)
            return reject(new ElevationError('Administrator rights were refused; nothing was changed'));
          reject(
            new ElevationError(
              `Cannot ask for administrator rights: ${stderr.trim() || `pkexec ended with status ${status}`}`,
            ),
          );
        }),
      );
    });
  };
}
