/**
 * Real privilege for tests, as privilege-here.md describes: throwaway users and groups, a system bus and
 * polkitd when none runs, and a polkit rule that answers for the test user. Everything made is removed in
 * `destroy()`, also when a test fails; processes are ended only by the pids this file started.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { findExecutable } from '../../src/core/wgconf/check.js';

export const POLKITD = '/usr/lib/polkit-1/polkitd';
const RULES_DIR = '/etc/polkit-1/rules.d';

/** Why these tests cannot run here, or undefined. */
export function privilegeUnavailable(): string | undefined {
  if (process.getuid?.() !== 0)
    return 'not root (creating users and polkit rules needs root; CI runs as root)';
  for (const tool of ['pkexec', 'dbus-daemon', 'useradd', 'groupadd', 'runuser']) {
    if (!findExecutable(tool, `${process.env.PATH}:/usr/sbin:/sbin`))
      return `\`${tool}\` not found (apt-get install --no-install-recommends pkexec polkitd dbus-daemon)`;
  }
  if (!existsSync(POLKITD)) return `${POLKITD} not found (apt-get install --no-install-recommends polkitd)`;
  return undefined;
}

export type PolkitAnswer = 'YES' | 'NO' | 'AUTH_ADMIN';

export class Privilege {
  private readonly users: string[] = [];
  private readonly groups: string[] = [];
  private readonly children: ChildProcess[] = [];
  private ruleFile?: string;
  private startedBus = false;

  constructor(private readonly tag: string) {}

  group(name: string): string {
    execFileSync('groupadd', [name]);
    this.groups.push(name);
    return name;
  }

  user(name: string, groups: string[] = []): string {
    execFileSync('useradd', [
      '-M',
      '-s',
      '/bin/sh',
      ...(groups.length ? ['-G', groups.join(',')] : []),
      name,
    ]);
    this.users.push(name);
    return name;
  }

  /** Starts a system bus and polkitd unless they run already (theirs are left alone). */
  async startPolkit(): Promise<void> {
    execFileSync('mkdir', ['-p', '/run/dbus']);
    // A socket file without a bus behind it (left by a killed one) is replaced.
    if (
      !existsSync('/run/dbus/system_bus_socket') ||
      spawnSync('pgrep', ['-x', 'dbus-daemon']).status !== 0
    ) {
      rmSync('/run/dbus/system_bus_socket', { force: true });
      this.startedBus = true;
      const bus = spawn('dbus-daemon', ['--system', '--nofork', '--nopidfile'], { stdio: 'ignore' });
      this.children.push(bus);
      await waitFor(() => existsSync('/run/dbus/system_bus_socket'), 'the system bus');
    }
    if (spawnSync('pgrep', ['-x', 'polkitd']).status !== 0) {
      const polkitd = spawn(POLKITD, ['--no-debug'], { stdio: 'ignore' });
      this.children.push(polkitd); // ready once a rule takes (ruleTakes)
    }
  }

  /** What polkit answers when `user` asks to run something as root (pkexec). polkitd rereads rules.d
   * within about a second; the caller checks the answer took (see `pkexecAnswers`). */
  rule(user: string, answer: PolkitAnswer): void {
    this.ruleFile = `${RULES_DIR}/10-octest-${this.tag}.rules`;
    writeFileSync(
      this.ruleFile,
      `polkit.addRule(function(action, subject) {\n  if (action.id == "org.freedesktop.policykit.exec" && subject.user == "${user}") return polkit.Result.${answer};\n});\n`,
    );
  }

  /** Waits until pkexec, as `user`, behaves as the current rule says. */
  async ruleTakes(user: string, answer: PolkitAnswer): Promise<void> {
    const expected =
      answer === 'YES' ? /^0$/m : answer === 'NO' ? /Not authorized/ : /No authentication agent/;
    await waitFor(
      () => {
        const r = spawnSync(
          'runuser',
          ['-u', user, '--', 'pkexec', '--disable-internal-agent', '/usr/bin/id', '-u'],
          { encoding: 'utf8', timeout: 10_000 },
        );
        return expected.test(`${r.stdout}${r.stderr}`);
      },
      `the polkit rule ${answer}`,
      15_000,
    );
  }

  destroy(): void {
    if (this.ruleFile) rmSync(this.ruleFile, { force: true });
    for (const u of this.users.splice(0)) spawnSync('userdel', ['-f', u]);
    for (const g of this.groups.splice(0)) spawnSync('groupdel', [g]);
    for (const c of this.children.splice(0).reverse()) if (c.exitCode === null) c.kill('SIGTERM');
    if (this.startedBus) rmSync('/run/dbus/system_bus_socket', { force: true });
  }
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
