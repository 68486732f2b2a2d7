/**
 * The path an ordinary desktop user takes, for real: a non-root account, the privileged helper running as
 * root (`helper run --netns`), the CLI and `ui` as that user, real wg-quick and wireguard-go in namespaces,
 * a real WireGuard peer, real pkexec and polkitd. While the helper is used, a polkit rule refuses the user:
 * every connect succeeding proves that no elevation prompt was needed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandWords,
  ELEVATED_SCRIPT,
  SCRIPT_NAME,
  sha256Hex,
} from '../../src/core/tunnels/pkexec-wg-quick.js';
import { linuxAdapter } from '../../src/core/tunnels/platform-adapters.js';
import { findTools } from '../../src/core/tunnels/tool-paths.js';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { HelperClient } from '../../src/helper/client.js';
import type { LinksEvent } from '../../src/helper/protocol.js';
import { SERVICE_UNIT, SOCKET_UNIT, SYSTEMD_DIR, systemdSocketUnit } from '../../src/helper/units.js';
import { linkPair, Netns, netnsUnavailable, wireguardGoPids } from '../support/netns.js';
import { startHelperProcess } from '../support/helper-process.js';
import { Privilege, privilegeUnavailable, waitFor } from '../support/privilege.js';
import { CHROMIUM_ARGS, CHROMIUM, chromiumMissing } from '../support/ui-host.js';
import { gate } from '../support/gate.js';
import { stageApp, type StagedApp } from '../support/staged-app.js';
import { rootOnlyTempDir } from '../support/root-dir.js';

const skip = gate(
  'helper and elevation tests as an ordinary user',
  netnsUnavailable() ?? privilegeUnavailable(),
);
const noBrowser = !skip && gate('connecting from the window through the helper', chromiumMissing());

const tag = String(process.pid % 1e5);
// A machine where the helper is really installed is left alone: this test installs and removes it.
const installedHere =
  !skip &&
  gate(
    'helper install test',
    existsSync(`${SYSTEMD_DIR}/${SOCKET_UNIT}`) ||
      spawnSync('getent', ['group', 'overlay-connect']).status === 0
      ? 'the helper is installed on this machine (this test installs and removes it)'
      : undefined,
  );

describe.skipIf(skip)('an ordinary user connects through the helper and through pkexec', () => {
  const priv = new Privilege(tag);
  const group = `ocg${tag}`;
  const user = `ocu${tag}`;
  const outsider = `ocx${tag}`;
  let dir: string;
  // The app as installed, readable by the test users wherever this checkout lives.
  let app: StagedApp;
  let sock: string;
  let helperRun: string;
  let peerNs: Netns;
  let lapNs: Netns;
  let helper: ChildProcess | undefined;
  let helperLog = () => '';
  const peerKeys = generateKeyPair();
  const lapKeys = generateKeyPair();
  const name = `hu${tag}`;

  /** Runs the CLI as `who`, as they would from a terminal (no root, their own data folder). */
  const as = (who: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const r = spawnSync(
      'runuser',
      ['-u', who, '--', process.execPath, app.bin, '--data-dir', join(dir, who), ...args],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: join(dir, who),
          OVERLAY_CONNECT_PASSPHRASE: 'user passphrase',
          ...extraEnv,
        },
        timeout: 60_000,
      },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const viaHelper = (who: string, args: string[]) => as(who, ['--helper', sock, ...args]);
  const ping = () => lapNs.run('ping', ['-c', '1', '-W', '2', '10.91.0.1']).status === 0;
  const ifaceUp = () => lapNs.run('ip', ['link', 'show', 'dev', name]).status === 0;

  async function startHelper(): Promise<void> {
    const started = await startHelperProcess({
      socket: sock,
      group,
      netns: lapNs.name,
      runDir: helperRun,
      policy: join(dir, 'policy.json'),
    });
    helper = started.child;
    helperLog = started.log;
  }

  beforeAll(async () => {
    app = stageApp();
    // The helper's socket, run folder and policy live here: root's folder, as the helper insists.
    dir = rootOnlyTempDir('oc-helper-');
    priv.group(group);
    priv.user(user, [group]);
    priv.user(outsider);
    for (const who of [user, outsider]) {
      mkdirSync(join(dir, who), { mode: 0o700 });
      chownSync(
        join(dir, who),
        Number(spawnSync('id', ['-u', who], { encoding: 'utf8' }).stdout),
        Number(spawnSync('id', ['-g', who], { encoding: 'utf8' }).stdout),
      );
    }
    sock = join(dir, 'sock', 'helper.sock');
    helperRun = join(dir, 'helper-run');
    peerNs = new Netns('hpeer');
    lapNs = new Netns('hlap');
    linkPair(peerNs, lapNs, ['198.51.100.1/24'], ['198.51.100.2/24'], `h${tag}`);
    const peerConf = join(dir, `hp${tag}.conf`);
    writeFileSync(
      peerConf,
      `[Interface]\nPrivateKey = ${peerKeys.privateKey}\nListenPort = 51820\nAddress = 10.91.0.1/24\n\n[Peer]\nPublicKey = ${lapKeys.publicKey}\nAllowedIPs = 10.91.0.2/32\n`,
      { mode: 0o600 },
    );
    peerNs.must('wg-quick', 'up', peerConf);
    const lapConf = join(dir, user, 'laptop.conf');
    writeFileSync(
      lapConf,
      `[Interface]\nPrivateKey = ${lapKeys.privateKey}\nAddress = 10.91.0.2/24\n\n[Peer]\nPublicKey = ${peerKeys.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.91.0.0/24\n`,
    );
    spawnSync('chown', [user, lapConf]);
    await priv.startPolkit();
    // No elevation may happen while the helper is used: polkit refuses this user.
    priv.rule(user, 'NO');
    await priv.ruleTakes(user, 'NO');
    await startHelper();
    const imported = as(user, ['tunnel', 'import', lapConf, '--name', name]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 90_000);

  afterAll(() => {
    if (helper && helper.exitCode === null) helper.kill('SIGTERM');
    peerNs?.destroy();
    lapNs?.destroy();
    priv.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    app?.remove();
  });

  it('the socket is root:group 0660 and a user outside the group is refused by it', () => {
    const st = statSync(sock);
    expect(st.uid).toBe(0);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(
      Number(spawnSync('getent', ['group', group], { encoding: 'utf8' }).stdout.split(':')[2]),
    );
    const r = viaHelper(outsider, ['tunnel', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Cannot reach the helper at .*: you are not \(yet\) in the group "overlay-connect"/,
    );
  });

  it('20 connects and disconnects as the user, a ping across each time, with no elevation prompt', () => {
    for (let i = 0; i < 20; i++) {
      const up = viaHelper(user, ['tunnel', 'up', name]);
      expect(up.code, `cycle ${i}: ${up.stderr}`).toBe(0);
      expect(up.stderr).toBe('');
      expect(ping(), `cycle ${i}: ping`).toBe(true);
      if (i === 0) {
        // The file wg-quick reads: root's, 0600, in root's 0700 folder; not in the user's data folder.
        const file = join(helperRun, `${name}.conf`);
        expect(statSync(file)).toMatchObject({ uid: 0 });
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(statSync(helperRun).mode & 0o777).toBe(0o700);
        expect(statSync(helperRun).uid).toBe(0);
        expect(existsSync(join(dir, user, 'run', `${name}.conf`))).toBe(false);
        const status = JSON.parse(viaHelper(user, ['tunnel', 'status', name, '--json']).stdout)[0];
        expect(status).toMatchObject({
          name,
          state: 'up',
          endpoint: '198.51.100.1:51820',
          netns: lapNs.name,
          error: null,
        });
        expect(status.latestHandshake).toBeGreaterThan(Date.now() / 1000 - 60);
        expect(status.rxBytes).toBeGreaterThan(0);
        // Per peer too, read by the helper as root and passed through its socket.
        expect(status.peers).toHaveLength(1);
        expect(status.peers[0].latestHandshake).toBeGreaterThan(Date.now() / 1000 - 60);
        expect(status.peers[0].rxBytes).toBeGreaterThan(0);
      }
      const down = viaHelper(user, ['tunnel', 'down', name]);
      expect(down.code, `cycle ${i}: ${down.stderr}`).toBe(0);
      expect(ifaceUp()).toBe(false);
    }
    expect(wireguardGoPids(name)).toEqual([]);
    expect(readdirSync(helperRun)).toEqual([]);
  }, 240_000);

  it('a subscriber is told when a tunnel comes up and goes down', async () => {
    const client = await HelperClient.connect(sock);
    const events: LinksEvent[] = [];
    await client.onLinks((e) => events.push(e));
    expect(viaHelper(user, ['tunnel', 'up', name]).code).toBe(0);
    await waitFor(
      () => events.some((e) => e.links.some((l) => l.iface === name && l.present)),
      'an event with the tunnel up',
    );
    expect(viaHelper(user, ['tunnel', 'down', name]).code).toBe(0);
    await waitFor(() => events.at(-1)!.links.every((l) => l.iface !== name), 'an event with the tunnel gone');
    expect(JSON.stringify(events)).not.toContain(lapKeys.privateKey);
    client.close();
  });

  it('tunnels outlive a helper killed with -9, and a restarted helper adopts them', async () => {
    expect(viaHelper(user, ['tunnel', 'up', name]).code).toBe(0);
    helper!.kill('SIGKILL');
    await waitFor(() => helper!.exitCode !== null || helper!.signalCode !== null, 'the helper to die');
    expect(ifaceUp()).toBe(true);
    expect(ping()).toBe(true);
    const gone = viaHelper(user, ['tunnel', 'status', name]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/Cannot reach the helper/);
    await startHelper();
    expect(helperLog()).toMatch(new RegExp(`adopted ${name}`));
    const status = JSON.parse(viaHelper(user, ['tunnel', 'status', name, '--json']).stdout)[0];
    expect(status).toMatchObject({ state: 'up' });
    expect(viaHelper(user, ['tunnel', 'down', name]).code).toBe(0);
    expect(ifaceUp()).toBe(false);
  }, 60_000);

  it('refuses script hooks unless the root-owned policy allows them, whatever the client asks', () => {
    const marker = join(dir, 'hook-ran');
    const conf = join(dir, user, 'hooks.conf');
    const k = generateKeyPair();
    writeFileSync(
      conf,
      `[Interface]\nPrivateKey = ${k.privateKey}\nAddress = 10.92.0.2/24\nPostUp = touch ${marker}\n\n[Peer]\nPublicKey = ${peerKeys.publicKey}\nAllowedIPs = 10.92.0.0/24\n`,
    );
    spawnSync('chown', [user, conf]);
    expect(as(user, ['tunnel', 'import', conf, '--name', `hk${tag}`, '--allow-scripts']).code).toBe(0);
    const refused = viaHelper(user, ['tunnel', 'up', `hk${tag}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/script hooks \(PostUp\).*policy.json does not allow scripts/);
    expect(existsSync(marker)).toBe(false);
    expect(lapNs.run('ip', ['link', 'show', 'dev', `hk${tag}`]).status).not.toBe(0);
    // A policy file the user could have written is not trusted either.
    writeFileSync(join(dir, 'policy.json'), '{"allowScripts": true}');
    chmodSync(join(dir, 'policy.json'), 0o666);
    expect(viaHelper(user, ['tunnel', 'up', `hk${tag}`]).code).toBe(1);
    expect(existsSync(marker)).toBe(false);
    chmodSync(join(dir, 'policy.json'), 0o644);
    const allowed = viaHelper(user, ['tunnel', 'up', `hk${tag}`]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(viaHelper(user, ['tunnel', 'down', `hk${tag}`]).code).toBe(0);
    rmSync(join(dir, 'policy.json'));
  });

  it.skipIf(noBrowser)(
    'the window served by `ui` as the user connects through the helper',
    async () => {
      const ui = spawn(
        'runuser',
        ['-u', user, '--', process.execPath, app.bin, '--data-dir', join(dir, user), '--helper', sock, 'ui'],
        {
          env: {
            PATH: process.env.PATH,
            HOME: join(dir, user),
            OVERLAY_CONNECT_PASSPHRASE: 'user passphrase',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      ui.stdout!.on('data', (d: Buffer) => (out += d));
      ui.stderr!.on('data', (d: Buffer) => (out += d));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        await waitFor(
          () => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(out),
          'ui to print its address',
          20_000,
        );
        const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out)![1]!;
        const page = await browser.newPage();
        await page.goto(url);
        const row = page.locator(`tr[data-tunnel="${name}"]`);
        await row.getByRole('button', { name: `Connect ${name}` }).click();
        await expect.poll(() => row.locator('[data-state]').textContent(), { timeout: 20_000 }).toBe('up');
        expect(ping()).toBe(true);
        await row.getByRole('button', { name: `Disconnect ${name}` }).click();
        await expect.poll(() => row.locator('[data-state]').textContent(), { timeout: 20_000 }).toBe('down');
        expect(ifaceUp()).toBe(false);
      } finally {
        await browser.close();
        ui.kill('SIGTERM');
      }
    },
    90_000,
  );

  describe('without a helper: the real pkexec, the config on its stdin', () => {
    const upElevated = () =>
      as(user, ['tunnel', 'up', name, '--netns', lapNs.name], { OVERLAY_CONNECT_HELPER: '' });
    /** The folders root's script makes for wg-quick's file (none may be left behind). */
    const rootFolders = () => readdirSync('/run').filter((f) => f.startsWith('overlay-connect.'));

    it('polkit says NO: a clear refusal and nothing changed', async () => {
      priv.rule(user, 'NO');
      await priv.ruleTakes(user, 'NO');
      const r = upElevated();
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe('overlay-connect: Administrator rights were refused; nothing was changed');
      expect(ifaceUp()).toBe(false);
    }, 60_000);

    it("no authentication agent: polkit's own message", async () => {
      priv.rule(user, 'AUTH_ADMIN');
      await priv.ruleTakes(user, 'AUTH_ADMIN');
      const r = upElevated();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /Cannot ask for administrator rights: No polkit authentication agent found\. \(a polkit agent must be running\)/,
      );
      expect(ifaceUp()).toBe(false);
    }, 60_000);

    it('polkit says YES: wg-quick runs as root in the namespace, the ping crosses, down works', async () => {
      priv.rule(user, 'YES');
      await priv.ruleTakes(user, 'YES');
      const folders = rootFolders();
      const up = upElevated();
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toMatch(/helper install/); // the hint that ends the prompts
      expect(ifaceUp()).toBe(true);
      expect(ping()).toBe(true);
      // Root read the config from pkexec's stdin: the user's run folder has the record, not the file.
      expect(existsSync(join(dir, user, 'run', `${name}.json`))).toBe(true);
      expect(existsSync(join(dir, user, 'run', `${name}.conf`))).toBe(false);
      expect(rootFolders()).toEqual(folders);
      const status = JSON.parse(
        as(user, ['tunnel', 'status', name, '--json'], { OVERLAY_CONNECT_HELPER: '' }).stdout,
      )[0];
      expect(status).toMatchObject({ state: 'up', netns: lapNs.name });
      const down = as(user, ['tunnel', 'down', name], { OVERLAY_CONNECT_HELPER: '' });
      expect(down.code, down.stderr).toBe(0);
      expect(ifaceUp()).toBe(false);
      expect(rootFolders()).toEqual(folders);
    }, 90_000);

    describe('root reads nothing the user can write', () => {
      const hooked = `ek${tag}`;
      const hookRan = () => existsSync(join(dir, 'elevated-hook-ran'));
      const hookLink = () => lapNs.run('ip', ['link', 'show', 'dev', hooked]).status === 0;
      const k = generateKeyPair();
      const vetted = `[Interface]\nPrivateKey = ${k.privateKey}\nAddress = 10.93.0.2/24\n\n[Peer]\nPublicKey = ${peerKeys.publicKey}\nAllowedIPs = 10.93.0.0/24\n`;
      /** The same with hooks that leave a mark, as root would run them (made once `dir` exists). */
      const withHooks = () => {
        const mark = join(dir, 'elevated-hook-ran');
        return vetted.replace('\n\n[Peer]', `\nPostUp = touch ${mark}\nPostDown = touch ${mark}\n\n[Peer]`);
      };

      beforeAll(async () => {
        priv.rule(user, 'YES');
        await priv.ruleTakes(user, 'YES');
        const conf = join(dir, user, 'hooked.conf');
        writeFileSync(conf, withHooks());
        spawnSync('chown', [user, conf]);
        const imported = as(user, ['tunnel', 'import', conf, '--name', hooked]); // no --allow-scripts
        expect(imported.code, imported.stderr).toBe(0);
        expect(imported.stdout + imported.stderr).toMatch(/will not run/);
      }, 60_000);

      it('a PostUp imported without --allow-scripts never runs, a same-user process swapping the old run file to a hook config or a symlink to /etc/shadow all along', async () => {
        const run = join(dir, user, 'run');
        const evil = join(dir, user, 'evil.conf');
        writeFileSync(evil, withHooks());
        spawnSync('chown', [user, evil]);
        const stop = join(dir, 'stop-swapping');
        const target = join(run, `${hooked}.conf`);
        // What issue 18 did while the prompt was open, here during the whole up and down.
        const swapper = spawn(
          'runuser',
          [
            '-u',
            user,
            '--',
            '/bin/sh',
            '-c',
            `mkdir -p ${run}; while [ ! -e ${stop} ]; do cp ${evil} ${run}/.swap; mv -f ${run}/.swap ${target}; ln -s /etc/shadow ${run}/.link; mv -f ${run}/.link ${target}; done`,
          ],
          { stdio: 'ignore' },
        );
        const shadow = readFileSync('/etc/shadow', 'utf8');
        const shadowStat = statSync('/etc/shadow');
        const folders = rootFolders();
        let output = '';
        try {
          await waitFor(() => existsSync(target), 'the swapper to plant its file');
          const up = as(user, ['tunnel', 'up', hooked, '--netns', lapNs.name], {
            OVERLAY_CONNECT_HELPER: '',
          });
          output += up.stdout + up.stderr;
          expect(up.code, up.stderr).toBe(0);
          expect(hookLink()).toBe(true);
          const down = as(user, ['tunnel', 'down', hooked], { OVERLAY_CONNECT_HELPER: '' });
          output += down.stdout + down.stderr;
          expect(down.code, down.stderr).toBe(0);
          expect(hookLink()).toBe(false);
        } finally {
          writeFileSync(stop, '');
          await waitFor(
            () => swapper.exitCode !== null || swapper.signalCode !== null,
            'the swapper to stop',
          );
          rmSync(stop);
        }
        expect(hookRan()).toBe(false);
        for (const line of shadow.split('\n').filter(Boolean)) expect(output).not.toContain(line);
        expect(output).not.toMatch(/root:[^:\s]*:\d*:/);
        // Not followed either: written through, chmod-ed or chown-ed (other tests may add users meanwhile).
        expect(statSync('/etc/shadow')).toMatchObject({
          mode: shadowStat.mode,
          uid: shadowStat.uid,
          gid: shadowStat.gid,
        });
        expect(rootFolders()).toEqual(folders);
      }, 90_000);

      it('simulating the pkexec step as root: an input that is not what the app hashed (a swapped one) is refused, no hook runs', () => {
        const t = findTools('linux');
        const words = (action: 'up' | 'down') =>
          commandWords(linuxAdapter(t), {
            action,
            iface: hooked,
            netns: lapNs.name,
            userspace: !existsSync('/sys/module/wireguard'),
          });
        const asRoot = (action: 'up' | 'down', hash: string, input: string) =>
          spawnSync(
            '/bin/sh',
            ['-c', ELEVATED_SCRIPT, SCRIPT_NAME, hooked, hash, action, lapNs.name, '--', ...words(action)],
            { input, encoding: 'utf8', timeout: 30_000 },
          );
        const folders = rootFolders();
        const swapped = asRoot('up', sha256Hex(Buffer.from(vetted)), withHooks());
        expect(swapped.status).toBe(3);
        expect(swapped.stderr).toMatch(
          /the config received does not match its SHA-256; wg-quick was not run/,
        );
        expect(hookRan()).toBe(false);
        expect(hookLink()).toBe(false);
        // The same step with the input it was asked for does run wg-quick, as root, in the namespace.
        const intact = asRoot('up', sha256Hex(Buffer.from(vetted)), vetted);
        expect(intact.status, intact.stderr).toBe(0);
        expect(hookLink()).toBe(true);
        expect(asRoot('down', sha256Hex(Buffer.from(withHooks())), vetted).status).toBe(3);
        expect(hookLink()).toBe(true);
        expect(asRoot('down', sha256Hex(Buffer.from(vetted)), vetted).status).toBe(0);
        expect(hookLink()).toBe(false);
        expect(hookRan()).toBe(false);
        expect(rootFolders()).toEqual(folders);
      }, 60_000);
    });

    it.skipIf(installedHere)(
      'helper install asks once and sets up the group, the user and the units; uninstall removes them',
      async () => {
        priv.rule(user, 'YES');
        await priv.ruleTakes(user, 'YES');
        try {
          const install = as(user, ['helper', 'install']);
          expect(install.code, install.stderr).toBe(0);
          expect(install.stdout).toMatch(
            /Installed overlay-connect-helper.socket and overlay-connect-helper.service; group overlay-connect \(with ocu\d+\)/,
          );
          expect(install.stdout).toMatch(/No systemd is running here|Log out and in again/);
          expect(spawnSync('id', ['-nG', user], { encoding: 'utf8' }).stdout).toMatch(/\boverlay-connect\b/);
          expect(readFileSync(`${SYSTEMD_DIR}/${SOCKET_UNIT}`, 'utf8')).toBe(systemdSocketUnit());
          const service = readFileSync(`${SYSTEMD_DIR}/${SERVICE_UNIT}`, 'utf8');
          expect(service).toContain(
            `ExecStart="${realpathSync(process.execPath)}" "--lite-mode" "${realpathSync(app.bin)}" "helper" "run"`,
          );
          expect(statSync(`${SYSTEMD_DIR}/${SERVICE_UNIT}`).uid).toBe(0);
          const status = as(user, ['helper', 'status', '--json'], { OVERLAY_CONNECT_HELPER: '' });
          expect(JSON.parse(status.stdout)).toMatchObject({ installed: true });
          const uninstall = as(user, ['helper', 'uninstall']);
          expect(uninstall.code, uninstall.stderr).toBe(0);
          expect(existsSync(`${SYSTEMD_DIR}/${SOCKET_UNIT}`)).toBe(false);
          expect(spawnSync('getent', ['group', 'overlay-connect']).status).not.toBe(0);
        } finally {
          rmSync(`${SYSTEMD_DIR}/${SOCKET_UNIT}`, { force: true });
          rmSync(`${SYSTEMD_DIR}/${SERVICE_UNIT}`, { force: true });
          spawnSync('groupdel', ['overlay-connect']);
        }
      },
      90_000,
    );
  });
});
