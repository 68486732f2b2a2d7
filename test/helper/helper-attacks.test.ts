/**
 * The root boundary, attacked as the red team did (issue 18), each for real: two members of the helper's
 * group and an outsider (throwaway users), the real helper as root in a namespace, real wireguard-go, the
 * app as installed. Each attack is shown refused, and the victim's own tunnel shown working.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type WgKeyPair } from '../../src/core/wgconf/keys.js';
import { gate } from '../support/gate.js';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { linkPair, Netns, netnsUnavailable, wireguardGoPids } from '../support/netns.js';
import { Privilege, privilegeUnavailable, waitFor } from '../support/privilege.js';
import { rootOnlyTempDir } from '../support/root-dir.js';
import { stageApp, type StagedApp } from '../support/staged-app.js';

const skip = gate('attacks on the helper as throwaway users', netnsUnavailable() ?? privilegeUnavailable());
const tag = String(process.pid % 1e5);

describe.skipIf(skip)('the helper under attack by its own members and by outsiders', () => {
  const priv = new Privilege(`a${tag}`);
  const group = `oag${tag}`;
  const alice = `oaa${tag}`;
  const bob = `oab${tag}`;
  const outsider = `oax${tag}`;
  const iface = `wk${tag}`;
  let app: StagedApp;
  let dir: string;
  let sock: string;
  let peerNs: Netns;
  let lapNs: Netns;
  let helper: HelperProcess;
  const peerKeys = generateKeyPair();
  const aliceKeys = generateKeyPair();
  const bobKeys = generateKeyPair();
  const uidOf = (who: string) => Number(spawnSync('id', ['-u', who], { encoding: 'utf8' }).stdout);

  const as = (who: string, args: string[], viaSock = sock) => {
    const r = spawnSync(
      'runuser',
      [
        '-u',
        who,
        '--',
        process.execPath,
        app.bin,
        '--data-dir',
        join(dir, who),
        '--helper',
        viaSock,
        ...args,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: join(dir, who), OVERLAY_CONNECT_PASSPHRASE: 'pass' },
        timeout: 60_000,
      },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  /** A raw protocol request as `who`, bypassing the client (what a hostile member would send). */
  const rawAs = (who: string, request: object): Record<string, unknown> => {
    const script = `const s=require('net').connect(${JSON.stringify(sock)});let b='';s.on('connect',()=>s.write(${JSON.stringify(JSON.stringify(request))}+'\\n'));s.on('data',d=>{b+=d;if(b.includes('\\n')){process.stdout.write(b.split('\\n')[0]);s.destroy();}});`;
    const r = spawnSync('runuser', ['-u', who, '--', process.execPath, '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const conf = (keys: WgKeyPair, address: string) =>
    `[Interface]\nPrivateKey = ${keys.privateKey}\nAddress = ${address}\n\n[Peer]\nPublicKey = ${peerKeys.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.93.0.0/24\n`;
  const importAs = (who: string, name: string, text: string) => {
    const file = join(dir, who, `${name}.conf`);
    writeFileSync(file, text, { mode: 0o600 });
    chownSync(file, uidOf(who), uidOf(who));
    const r = as(who, ['tunnel', 'import', file, '--name', name]);
    expect(r.code, r.stderr).toBe(0);
  };
  const stateOf = (who: string, name: string) =>
    JSON.parse(as(who, ['tunnel', 'status', name, '--json']).stdout)[0].state as string;
  const linkExists = () => lapNs.run('ip', ['link', 'show', 'dev', iface]).status === 0;
  const ping = () => lapNs.run('ping', ['-c', '1', '-W', '2', '10.93.0.1']).status === 0;

  beforeAll(async () => {
    app = stageApp();
    dir = rootOnlyTempDir('oc-attacks-');
    sock = join(dir, 'sock', 'helper.sock');
    priv.group(group);
    priv.user(alice, [group]);
    priv.user(bob, [group]);
    priv.user(outsider);
    for (const who of [alice, bob, outsider]) {
      mkdirSync(join(dir, who), { mode: 0o700 });
      chownSync(join(dir, who), uidOf(who), uidOf(who));
    }
    peerNs = new Netns('apeer');
    lapNs = new Netns('alap');
    linkPair(peerNs, lapNs, ['198.51.100.1/24'], ['198.51.100.2/24'], `a${tag}`);
    const peerConf = join(dir, `ap${tag}.conf`);
    writeFileSync(
      peerConf,
      `[Interface]\nPrivateKey = ${peerKeys.privateKey}\nListenPort = 51820\nAddress = 10.93.0.1/24\n\n[Peer]\nPublicKey = ${aliceKeys.publicKey}\nAllowedIPs = 10.93.0.2/32\n`,
      { mode: 0o600 },
    );
    peerNs.must('wg-quick', 'up', peerConf);
    helper = await startHelperProcess({
      socket: sock,
      group,
      netns: lapNs.name,
      runDir: join(dir, 'run'),
      policy: join(dir, 'policy.json'),
    });
    importAs(alice, iface, conf(aliceKeys, '10.93.0.2/24'));
    // Bob's squat: the same interface name, his own key, Alice's subnet.
    importAs(bob, iface, conf(bobKeys, '10.93.0.2/24'));
  }, 90_000);

  afterAll(() => {
    helper?.stop();
    peerNs?.destroy();
    lapNs?.destroy();
    priv.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    app?.remove();
  });

  it("a member's squat on another's interface name is refused, and the victim's tunnel works with its own peer", async () => {
    expect(as(bob, ['tunnel', 'up', iface]).code).toBe(0);
    // Before: Alice's up said `up` and her traffic went to Bob's tunnel.
    const refused = as(alice, ['tunnel', 'up', iface]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`Cannot bring "${iface}" up: ${iface} is in use by another tunnel`),
    );
    expect(stateOf(alice, iface)).not.toBe('up');
    // She cannot take his down either: her down is a no-op, his interface stays.
    expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
    expect(linkExists()).toBe(true);
    expect(rawAs(alice, { v: 1, id: 1, op: 'down', iface })).toMatchObject({
      ok: false,
      code: 'refused',
      error: `${iface} is not a tunnel of yours brought up by this helper: it is left alone`,
    });
    expect(linkExists()).toBe(true);
    // Status through the helper shows each member only their own tunnels.
    expect(rawAs(alice, { v: 1, id: 2, op: 'status' })).toMatchObject({ ok: true, result: { links: [] } });
    expect(as(bob, ['tunnel', 'down', iface]).code).toBe(0);

    const up = as(alice, ['tunnel', 'up', iface]);
    expect(up.code, up.stderr).toBe(0);
    expect(ping()).toBe(true);
    const status = JSON.parse(as(alice, ['tunnel', 'status', iface, '--json']).stdout)[0];
    expect(status).toMatchObject({ state: 'up', endpoint: '198.51.100.1:51820' });
    // And now Bob's attempts: refused, and they change nothing of hers.
    expect(as(bob, ['tunnel', 'up', iface]).stderr).toMatch(/is in use by another tunnel/);
    expect(stateOf(bob, iface)).not.toBe('up');
    expect(as(bob, ['tunnel', 'down', iface]).code).toBe(0);
    expect(ping()).toBe(true);
    // Every action is logged with who asked (read once the blocking CLI calls let the log come in).
    await waitFor(
      () => new RegExp(`uid ${uidOf(alice)}: up ${iface}\n`).test(helper.log()),
      'the log of her up',
    );
    expect(helper.log()).toMatch(new RegExp(`uid ${uidOf(bob)}: up ${iface}: ${iface} is in use`));
    expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
    expect(linkExists()).toBe(false);
  }, 120_000);

  it("an interface that replaced the helper's under its name is left alone, its record forgotten", () => {
    expect(as(alice, ['tunnel', 'up', iface]).code).toBe(0);
    // Deleted by hand; an administrator brings up their own under the same name.
    lapNs.must('ip', 'link', 'del', iface);
    const admin = join(dir, `${iface}.conf`);
    writeFileSync(
      admin,
      `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.97.0.2/24\n`,
      { mode: 0o600 },
    );
    lapNs.must('wg-quick', 'up', admin);
    try {
      expect(stateOf(alice, iface)).not.toBe('up');
      expect(rawAs(alice, { v: 1, id: 3, op: 'status' })).toMatchObject({ result: { links: [] } });
      expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
      expect(linkExists()).toBe(true); // the administrator's, untouched
    } finally {
      lapNs.run('wg-quick', ['down', admin]);
    }
  }, 60_000);

  it('a fake wireguard-go in a user namespace is not taken for a live tunnel', async () => {
    expect(as(alice, ['tunnel', 'up', iface]).code).toBe(0);
    const [pid] = wireguardGoPids(iface);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL'); // the tunnel dies
    await waitFor(() => !linkExists(), 'the interface to go');
    // Bob's stand-in: a program named wireguard-go, run as `./wireguard-go IFACE`, in a namespace of his own
    // holding an interface of that name (the red team's finding: status said present, up did nothing).
    const fakeDir = join(dir, bob, 'fake');
    mkdirSync(fakeDir);
    copyFileSync('/bin/cat', join(fakeDir, 'wireguard-go'));
    chmodSync(join(fakeDir, 'wireguard-go'), 0o755);
    spawnSync('mkfifo', [join(fakeDir, iface)]);
    spawnSync('chown', ['-R', `${bob}:${bob}`, fakeDir]);
    const fake = spawn(
      'runuser',
      [
        '-u',
        bob,
        '--',
        'unshare',
        '-Urn',
        'sh',
        '-c',
        `ip link add ${iface} type veth peer name p${tag} && ip link set ${iface} up && cd ${fakeDir} && exec ./wireguard-go ${iface}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitFor(
        () => spawnSync('pgrep', ['-f', `^./wireguard-go ${iface}$`]).status === 0,
        'the stand-in to run',
      );
      expect(stateOf(alice, iface)).not.toBe('up');
      const up = as(alice, ['tunnel', 'up', iface]);
      expect(up.code, up.stderr).toBe(0);
      expect(ping()).toBe(true); // really up again, not a no-op
      expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
    } finally {
      spawnSync('pkill', ['-KILL', '-f', `^./wireguard-go ${iface}$`]);
      fake.kill('SIGKILL');
    }
  }, 60_000);

  it('64 subscriptions from one member do not lock another out; each refusal names its limit', async () => {
    const script = `const net=require('net');const N=64;let ok=0,done=0;const refused=[];
const end=()=>{if(++done===N)console.log(JSON.stringify({ok,refused}));};
for(let i=0;i<N;i++){const s=net.connect(${JSON.stringify(sock)});let b='',seen=false;
s.on('connect',()=>s.write(JSON.stringify({v:1,id:i+1,op:'subscribe'})+'\\n'));
s.on('data',d=>{b+=d;if(seen||!b.includes('\\n'))return;seen=true;const m=JSON.parse(b.split('\\n')[0]);if(m.ok)ok++;else refused.push(m.error);end();});
s.on('error',()=>{});s.on('close',()=>{if(!seen){seen=true;refused.push('closed');end();}});}
setTimeout(()=>process.exit(0),20000);`;
    const flood = spawn('runuser', ['-u', bob, '--', process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    flood.stdout!.on('data', (d: Buffer) => (out += d));
    try {
      await waitFor(() => out.includes('\n'), "the flood's answers", 15_000);
      const { ok, refused } = JSON.parse(out) as { ok: number; refused: string[] };
      expect(ok).toBe(4);
      expect(refused).toHaveLength(60);
      expect(
        refused.filter((e) => e === 'The helper serves at most 16 connections per user at once'),
      ).toHaveLength(48);
      expect(
        refused.filter((e) => e === 'The helper takes at most 4 subscriptions per user at once'),
      ).toHaveLength(12);
      // While Bob holds all he may, Alice is served.
      const status = as(alice, ['tunnel', 'status']);
      expect(status.code, status.stderr).toBe(0);
      expect(as(alice, ['tunnel', 'up', iface]).code).toBe(0);
      expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
    } finally {
      flood.kill('SIGKILL');
    }
  }, 60_000);

  it('a per-user tunnel cap from the root-owned policy, named in the refusal', () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, '{"maxTunnelsPerUser": 1}', { mode: 0o644 });
    try {
      importAs(
        alice,
        'other',
        conf(generateKeyPair(), '10.96.0.2/24').replace('10.93.0.0/24', '10.96.0.0/24'),
      );
      expect(as(alice, ['tunnel', 'up', iface]).code).toBe(0);
      const refused = as(alice, ['tunnel', 'up', 'other']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /The helper keeps at most 1 tunnels up per user \(maxTunnelsPerUser in .*policy\.json\)/,
      );
      expect(as(alice, ['tunnel', 'down', iface]).code).toBe(0);
      expect(as(alice, ['tunnel', 'up', 'other']).code).toBe(0);
      expect(as(alice, ['tunnel', 'down', 'other']).code).toBe(0);
    } finally {
      rmSync(policy, { force: true });
    }
  }, 60_000);

  it('a socket path in a folder an outsider owns is refused before anything is chowned', () => {
    const evil = join(dir, 'evil');
    mkdirSync(evil, { mode: 0o755 });
    chownSync(evil, uidOf(outsider), uidOf(outsider));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'root only', { mode: 0o600 });
    // The outsider's bet: root chowns the socket by path, and the path is his symlink to root's file.
    spawnSync('runuser', ['-u', outsider, '--', 'ln', '-s', victim, join(evil, 'helper.sock')]);
    const r = spawnSync(
      process.execPath,
      [
        'bin/overlay-connect.js',
        'helper',
        'run',
        '--socket',
        join(evil, 'helper.sock'),
        '--group',
        group,
        '--run-dir',
        join(dir, 'evil-run'),
        '--netns',
        lapNs.name,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `${evil} is not owned by root: the helper's socket must be in a folder only root can change`,
      ),
    );
    expect(statSync(victim)).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(victim).mode & 0o777).toBe(0o600);
  });

  it('`helper run` on a fresh machine: the socket folder is 0755, the run folder 0700, a member connects', async () => {
    const fresh = rootOnlyTempDir('oc-fresh-');
    const sock2 = join(fresh, 'overlay-connect', 'helper.sock');
    expect(existsSync(dirname(sock2))).toBe(false);
    const second = await startHelperProcess({ socket: sock2, group, netns: lapNs.name });
    try {
      expect(statSync(dirname(sock2)).mode & 0o777).toBe(0o755);
      expect(statSync(join(dirname(sock2), 'tunnels')).mode & 0o777).toBe(0o700);
      expect(statSync(sock2).mode & 0o777).toBe(0o660);
      const r = as(alice, ['tunnel', 'status'], sock2);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      second.stop();
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
