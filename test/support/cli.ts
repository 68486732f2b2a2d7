import { spawnSync } from 'node:child_process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `overlay-connect` bin as a user would, with no terminal attached. */
export function cli(args: string[], env: Record<string, string | undefined> = {}, input?: string): CliRun {
  const r = spawnSync(process.execPath, ['bin/overlay-connect.js', ...args], {
    encoding: 'utf8',
    input: input ?? '',
    env: { ...process.env, OVERLAY_CONNECT_PASSPHRASE: 'test passphrase', OVERLAY_CONNECT_SCRYPT_N: undefined, ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
