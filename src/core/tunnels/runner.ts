/**
 * Runs the commands of the tunnel service: directly when we are already root (no shell involved), or
 * elevated through sudo-prompt (pkexec / the macOS dialog / UAC) with a shell string made only by
 * `toShellString`. On Linux, wg-quick up/down do not come here when elevated: pkexec-wg-quick.ts runs
 * pkexec itself, with an argument vector (no shell of the user's expands anything) and the config text on
 * pkexec's stdin, so that root reads no file the user can write.
 */
import { execFile } from 'node:child_process';
import { UserError } from '../errors.js';
import { toCmdString, toShellString, type CommandLine } from './command-line.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (cmd: CommandLine) => Promise<RunResult>;

export const directRunner: CommandRunner = (cmd) =>
  new Promise((resolve) => {
    execFile(
      cmd.file,
      cmd.args,
      { env: { ...process.env, ...cmd.env }, timeout: 120_000, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (err && code !== 0 && !stderr ? err.message : '')),
        });
      },
    );
  });

/** sudo-prompt's `exec`, as a function so tests can hand in a fake that records what it receives. */
export type ElevateFn = (
  command: string,
  options: { name: string },
  callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
) => void;

export class ElevationError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ElevationError';
  }
}

/** What the elevation dialog names us: sudo-prompt takes letters, digits and spaces only (≤ 70). */
export const ELEVATION_NAME = 'overlay connect';

/** A runner that asks the user for administrator rights for each command. */
export function elevatedRunner(
  elevate: ElevateFn,
  options: { platform?: NodeJS.Platform; appName?: string; timeoutMs?: number } = {},
): CommandRunner {
  const { platform = process.platform, appName = ELEVATION_NAME, timeoutMs = 5 * 60_000 } = options;
  return async (cmd) => {
    // sudo-prompt runs a bash string on Linux and macOS, a .bat line on Windows; either rendering rejects
    // an unsafe word before anything is asked.
    const shell = platform === 'win32' ? toCmdString(cmd) : toShellString(cmd);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ElevationError('No answer to the administrator prompt after 5 minutes; nothing was changed'),
          ),
        timeoutMs,
      );
      elevate(shell, { name: appName }, (error, stdout, stderr) => {
        clearTimeout(timer);
        const out = String(stdout ?? '');
        const errText = String(stderr ?? '');
        if (!error) return resolve({ code: 0, stdout: out, stderr: errText });
        const message = error.message || '';
        if (/did not grant permission|dismissed|cancel/i.test(message)) {
          return reject(new ElevationError('Administrator rights were refused; nothing was changed'));
        }
        if (/polkit|pkexec|authentication agent/i.test(message)) {
          return reject(
            new ElevationError(
              `Cannot ask for administrator rights: ${message.trim()} (a polkit agent must be running)`,
            ),
          );
        }
        // The command itself failed under elevation: report it like a direct failure.
        resolve({
          code: (error as Error & { code?: number }).code ?? 1,
          stdout: out,
          stderr: errText || message,
        });
      });
    });
  };
}

export function isRoot(): boolean {
  return process.platform !== 'win32' && process.getuid?.() === 0;
}
