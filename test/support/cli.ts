import { spawn, spawnSync } from 'node:child_process';

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
    env: {
      ...process.env,
      OVERLAY_CONNECT_PASSPHRASE: 'test passphrase',
      OVERLAY_CONNECT_SCRYPT_N: undefined,
      ...env,
    },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: needed when the test itself serves what the CLI calls. */
export function cliAsync(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/overlay-connect.js', ...args], {
      env: { ...process.env, OVERLAY_CONNECT_PASSPHRASE: 'test passphrase', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
