/**
 * Our verdict against the real tools: `wg-quick strip` (the wg-quick layer), `wg setconf` on a real
 * wireguard-go interface (the wg layer) and, for keys only `wg-quick up` reads (Address, MTU, Table), a
 * real `wg-quick up` — all inside a throwaway namespace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/core/wgconf/keys.js';
import { checkConfigText, parseConfig } from '../../../src/core/wgconf/parser.js';
import { writeForWgQuick } from '../../../src/core/wgconf/writer.js';
import { Netns, netnsUnavailable } from '../../support/netns.js';
import { gate } from '../../support/gate.js';

const skip = gate('oracle tests against wg-quick/wg', netnsUnavailable());

const me = generateKeyPair();
const p1 = generateKeyPair();
const p2 = generateKeyPair();
const I = `[Interface]\nPrivateKey = ${me.privateKey}\n`;
const P = (extra = '', key = p1.publicKey) => `[Peer]\nPublicKey = ${key}\n${extra}\n`;

/** [name, text, needs `wg-quick up` to be judged]. */
const valid: Array<[string, string, boolean]> = [
  ['minimal', I, false],
  [
    'full',
    `${I}ListenPort = 51820\nFwMark = 0x20\nAddress = 10.44.0.2/24, fd44::2/64\nMTU = 1420\n${P('AllowedIPs = 10.44.0.0/24, fd44::/64\nEndpoint = 198.51.100.1:51820\nPersistentKeepalive = 25')}`,
    true,
  ],
  [
    'case and CRLF',
    `[INTERFACE]\r\nprivatekey = ${me.privateKey}\r\naddress = 10.44.0.3/32\r\n[peer]\r\npublickey = ${p1.publicKey}\r\nallowedips = 10.44.0.0/16\r\n`,
    true,
  ],
  [
    'comments',
    `# exported\n${I}# hi\nAddress = 10.44.0.4/24 # trailing\n${P('AllowedIPs = 0.0.0.0/0 # all')}`,
    false,
  ],
  [
    'repeated AllowedIPs and peers',
    `${I}${P('AllowedIPs = 10.1.0.0/16\nAllowedIPs = 10.2.0.0/16')}${P('AllowedIPs = 10.3.0.0/16', p2.publicKey)}`,
    false,
  ],
  ['bracketed IPv6 endpoint', `${I}${P('Endpoint = [2001:db8::1]:51820\nPersistentKeepalive = off')}`, false],
  ['bare IPs as /32', `${I}Address = 10.44.0.9\n${P('AllowedIPs = 10.44.0.1, fd44::1')}`, true],
  ['preshared key', `${I}${P(`PresharedKey = ${p2.publicKey}`)}`, false],
  ['table off', `${I}Address = 10.44.1.1/24\nTable = off\n${P('AllowedIPs = 10.45.0.0/16')}`, true],
  ['table number', `${I}Address = 10.44.1.1/24\nTable = 1234\n${P('AllowedIPs = 10.45.0.0/16')}`, true],
  ['saveconfig false', `${I}SaveConfig = false\n`, false],
];

const invalid: Array<[string, string, boolean]> = [
  ['placeholder key', '[Interface]\nPrivateKey = YOUR_PRIVATE_KEY_HERE\n', false],
  ['non-canonical key', `[Interface]\nPrivateKey = ${me.privateKey.slice(0, 42)}B=\n`, false],
  ['peer without key', `${I}[Peer]\nAllowedIPs = 10.0.0.0/8\n`, false],
  ['unknown key', `${I}Foo = 1\n`, false],
  ['peer key in interface', `${I}Endpoint = 198.51.100.1:1\n`, false],
  ['unknown section', `${I}[Peers]\nPublicKey = ${p1.publicKey}\n`, false],
  ['empty list item', `${I}${P('AllowedIPs = 10.0.0.0/8,,10.1.0.0/16')}`, false],
  ['bad prefix', `${I}${P('AllowedIPs = 10.0.0.0/33')}`, false],
  ['keepalive too big', `${I}${P('PersistentKeepalive = 70000')}`, false],
  ['endpoint without port', `${I}${P('Endpoint = 198.51.100.1')}`, false],
  ['fwmark too big', `${I}FwMark = 0x1ffffffff\n`, false],
  ['empty value', `${I}ListenPort =\n`, false],
  ['no equals', `${I}PrivateKey\n`, false],
  ['saveconfig junk', `${I}SaveConfig = maybe\n`, false],
  ['bad address', `${I}Address = 10.44.0.256/24\n`, true],
  ['bad address prefix', `${I}Address = 10.44.0.1/40\n`, true],
  ['mtu not a number', `${I}Address = 10.44.0.1/24\nMTU = big\n`, true],
  ['table name', `${I}Address = 10.44.0.1/24\nTable = sometimes\n${P('AllowedIPs = 10.46.0.0/16')}`, true],
];

/** Files wg/wg-quick take but we refuse on purpose, each for a reason a user benefits from. */
const stricter: Array<[string, string, string]> = [
  ['no PrivateKey', '[Interface]\nListenPort = 1\n', 'an interface without a key cannot connect'],
  [
    'two peers with one key',
    `${I}${P('AllowedIPs = 10.1.0.0/16')}${P('AllowedIPs = 10.2.0.0/16')}`,
    'wg merges them silently',
  ],
  [
    'unbracketed IPv6 endpoint',
    `${I}${P('Endpoint = 2001:db8::1:51820')}`,
    'ambiguous: is 51820 part of the address?',
  ],
  [
    'ListenPort 65536',
    `${I}ListenPort = 65536\n`,
    'wg passes it to getaddrinfo, which wraps it to another port',
  ],
  [
    'key with a space',
    `${I}${P('Allowed IPs = 10.0.0.0/8')}`,
    'wg strips spaces, wg-quick does not: behaviour would differ by key',
  ],
];

/** Files this wg-quick refuses that we read (as the Windows client does), and then write in a form it takes. */
const lenient: Array<[string, string | Buffer]> = [
  ['UTF-8 BOM', `\uFEFF${I}${P('AllowedIPs = 10.0.0.0/8')}`],
  [
    'UTF-16 LE with BOM (Windows export)',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${I}${P()}`, 'utf16le')]),
  ],
];

// wireguard-go's control socket is /var/run/wireguard/<name>.sock in every namespace: names must be unique
// on the machine, not just in the namespace.
const WGO = `oco${process.pid % 1e6}`;
const WGQ = `ocq${process.pid % 1e6}`;

describe.skipIf(skip)('verdicts agree with the real tools', () => {
  let ns: Netns;
  let dir: string;

  beforeAll(() => {
    ns = new Netns('oracle');
    dir = mkdtempSync(join(tmpdir(), 'oc-oracle-'));
    ns.must('wireguard-go', WGO);
  });
  afterAll(() => {
    ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the real tools say of a file, stage by stage. */
  function realVerdict(text: string, withUp: boolean): { ok: boolean; stage: string; why: string } {
    const file = join(dir, `${WGQ}.conf`);
    writeFileSync(file, text, { mode: 0o600 });
    const strip = spawnSync('wg-quick', ['strip', file], { encoding: 'utf8' });
    if (strip.status !== 0) return { ok: false, stage: 'wg-quick strip', why: strip.stderr };
    const stripped = join(dir, 'stripped.conf');
    writeFileSync(stripped, strip.stdout, { mode: 0o600 });
    const set = ns.run('wg', ['setconf', WGO, stripped]);
    if (set.status !== 0) return { ok: false, stage: 'wg setconf', why: set.stderr };
    // Free the port the file may have set, or the `up` below would find it taken by wgo0.
    ns.must('wg', 'set', WGO, 'listen-port', '0');
    if (!withUp) return { ok: true, stage: 'wg setconf', why: '' };
    const up = ns.run('wg-quick', ['up', file]);
    if (up.status !== 0) return { ok: false, stage: 'wg-quick up', why: up.stderr };
    const down = ns.run('wg-quick', ['down', file]);
    expect(down.status, down.stderr).toBe(0);
    return { ok: true, stage: 'wg-quick up', why: '' };
  }

  it.each(valid)('valid: $0', (_name, text, withUp) => {
    expect(checkConfigText(text).errors).toEqual([]);
    const real = realVerdict(text, withUp);
    expect(real, real.why.slice(-400)).toMatchObject({ ok: true });
    // What we hand to wg-quick passes too, scripts or not.
    const ours = realVerdict(writeForWgQuick(parseConfig(text), false), withUp);
    expect(ours, ours.why.slice(-400)).toMatchObject({ ok: true });
  });

  it.each(invalid)('invalid: $0', (_name, text, withUp) => {
    expect(checkConfigText(text).errors.length).toBeGreaterThan(0);
    const real = realVerdict(text, withUp);
    expect(real.ok, `${real.stage} accepted it`).toBe(false);
  });

  it.each(stricter)('stricter than wg on purpose: $0 ($2)', (_name, text) => {
    expect(checkConfigText(text).errors.length).toBeGreaterThan(0);
    expect(realVerdict(text, false).ok).toBe(true);
  });

  it.each(lenient)('more lenient on purpose: $0, and what we write passes', (_name, input) => {
    const text = typeof input === 'string' ? input : input.toString('latin1');
    expect(realVerdict(text, false).ok).toBe(false);
    const ours = realVerdict(writeForWgQuick(parseConfig(input), false), false);
    expect(ours, ours.why.slice(-400)).toMatchObject({ ok: true });
  });

  it('a hook with a # runs what we show: wg-quick cuts the line there, and so do we', () => {
    const ran = join(dir, 'hash-hook');
    const text = `${I}Address = 10.44.9.2/24\nPostUp = touch ${ran}#b\n`;
    const report = checkConfigText(text);
    expect(report.scripts.map((s) => s.command)).toEqual([`touch ${ran}`]);
    // (The path in the message is cut as a possible key would be: a run of 20 base64-ish characters.)
    expect(report.warnings).toMatchObject([
      {
        line: 4,
        message: expect.stringMatching(/^Everything from the `#` on is a comment.*runs `touch .*` only$/),
      },
    ]);
    // The user's file and the one we write from what we show, each run by the real wg-quick.
    for (const conf of [text, writeForWgQuick(parseConfig(text), true)]) {
      rmSync(ran, { force: true });
      const file = join(dir, `${WGQ}.conf`);
      writeFileSync(file, conf, { mode: 0o600 });
      const up = ns.run('wg-quick', ['up', file]);
      expect(up.status, up.stderr).toBe(0);
      expect(ns.run('wg-quick', ['down', file]).status).toBe(0);
      expect(existsSync(ran)).toBe(true);
      expect(existsSync(`${ran}#b`)).toBe(false);
    }
  });

  it('a file with a script hook runs nothing once we write it for wg-quick', () => {
    const marker = join(dir, 'pwned');
    const text = `${I}Address = 10.44.9.1/24\nPostUp = touch ${marker}\n`;
    const file = join(dir, `${WGQ}.conf`);
    writeFileSync(file, writeForWgQuick(parseConfig(text), false), { mode: 0o600 });
    expect(ns.run('wg-quick', ['up', file]).status).toBe(0);
    expect(ns.run('wg-quick', ['down', file]).status).toBe(0);
    expect(spawnSync('test', ['-e', marker]).status).toBe(1);
  });
});
