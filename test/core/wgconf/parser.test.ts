import { describe, expect, it } from 'vitest';
import { checkConfigText, ConfigError, parseConfig } from '../../../src/core/wgconf/parser.js';
import { writeConfig, writeForWgQuick } from '../../../src/core/wgconf/writer.js';

const PRIV = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const PUB = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const PUB2 = 'TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=';

const good = `[Interface]
PrivateKey = ${PRIV}
Address = 10.0.0.2/24, fd00::2/64
DNS = 10.0.0.1, corp.example
ListenPort = 51820
MTU = 1420

[Peer]
PublicKey = ${PUB}
AllowedIPs = 10.0.0.0/24
AllowedIPs = fd00::/64
Endpoint = 198.51.100.1:51820
PersistentKeepalive = 25
`;

function firstError(text: string) {
  const r = checkConfigText(text);
  expect(r.config).toBeUndefined();
  return r.errors[0]!;
}

describe('grammar: what wg-quick accepts', () => {
  it('parses a full config into the typed model', () => {
    const c = parseConfig(good);
    expect(c.interface).toMatchObject({
      privateKey: PRIV,
      listenPort: 51820,
      mtu: 1420,
      addresses: ['10.0.0.2/24', 'fd00::2/64'],
      dns: ['10.0.0.1', 'corp.example'],
    });
    expect(c.peers).toEqual([
      {
        publicKey: PUB,
        allowedIPs: ['10.0.0.0/24', 'fd00::/64'],
        endpoint: '198.51.100.1:51820',
        persistentKeepalive: 25,
      },
    ]);
  });

  it('accepts case-insensitive headers and keys, CRLF and a UTF-8 BOM', () => {
    const text =
      '\uFEFF' +
      good.replace('[Interface]', '[INTERFACE]').replace('PublicKey', 'publickey').replace(/\n/g, '\r\n');
    expect(parseConfig(text)).toEqual(parseConfig(good));
    expect(parseConfig(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]))).toEqual(
      parseConfig(good),
    );
  });

  it('accepts UTF-16 files as exported on Windows', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(good, 'utf16le').swap16()]);
    expect(parseConfig(le)).toEqual(parseConfig(good));
    expect(parseConfig(be)).toEqual(parseConfig(good));
  });

  it('drops comments, in script values too, as wg-quick does, and says what the hook runs', () => {
    const text = `# top\n[Interface] # iface\nPrivateKey = ${PRIV} # mine\nPostUp = echo a#b # c\nPreDown = echo d\n`;
    const c = parseConfig(text);
    expect(c.interface.privateKey).toBe(PRIV);
    // Debian 12's wg-quick: `stripped="${line%%\#*}"`, so this hook runs `echo a`.
    expect(c.interface.scripts).toEqual([
      { key: 'PostUp', command: 'echo a' },
      { key: 'PreDown', command: 'echo d' },
    ]);
    const r = checkConfigText(text);
    expect(r.scripts.map((s) => [s.line, s.command])).toEqual([
      [4, 'echo a'],
      [5, 'echo d'],
    ]);
    expect(r.warnings).toEqual([
      {
        line: 4,
        message:
          'Everything from the `#` on is a comment, as wg-quick reads it: this hook runs `echo a` only',
      },
    ]);
    // A hook that is all comment has no value; a comment after another key is no news.
    expect(checkConfigText(`[Interface]\nPrivateKey = ${PRIV}\nPostUp = #x\n`).errors).toEqual([
      { line: 3, message: '`PostUp` has no value' },
    ]);
    expect(checkConfigText(`[Interface]\nPrivateKey = ${PRIV} # mine\nMTU = 1420 # x\n`).warnings).toEqual(
      [],
    );
  });

  it('reports script hooks with their lines', () => {
    const r = checkConfigText(
      `[Interface]\nPrivateKey = ${PRIV}\nPreUp = a\nPostUp = touch /tmp/pwned\nPreDown = c\nPostDown = d\n`,
    );
    expect(r.scripts.map((s) => [s.line, s.key, s.command])).toEqual([
      [3, 'PreUp', 'a'],
      [4, 'PostUp', 'touch /tmp/pwned'],
      [5, 'PreDown', 'c'],
      [6, 'PostDown', 'd'],
    ]);
  });

  it('accepts every endpoint form', () => {
    for (const ep of ['198.51.100.1:51820', '[2001:db8::1]:51820', 'vpn.example.com:1', 'host:65535']) {
      expect(
        parseConfig(`[Interface]\nPrivateKey=${PRIV}\n[Peer]\nPublicKey=${PUB}\nEndpoint=${ep}\n`).peers[0]!
          .endpoint,
      ).toBe(ep);
    }
  });

  it('accepts the other interface and peer keys', () => {
    const c = parseConfig(
      `[Interface]\nPrivateKey=${PRIV}\nFwMark=0x1f\nTable=off\nSaveConfig=false\n[Peer]\nPublicKey=${PUB}\nPresharedKey=${PUB2}\nPersistentKeepalive=off\n`,
    );
    expect(c.interface).toMatchObject({ fwMark: '0x1f', table: 'off', saveConfig: false });
    expect(c.peers[0]).toMatchObject({ presharedKey: PUB2, persistentKeepalive: 0 });
  });
});

const iface = `[Interface]\nPrivateKey = ${PRIV}\n`;
const peer = (body: string) => `${iface}[Peer]\nPublicKey = ${PUB}\n${body}\n`;

describe('grammar: every rule has a negative case with its line', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['no interface', `[Peer]\nPublicKey = ${PUB}\n`, 1, /no \[Interface\]/],
    ['missing private key', '[Interface]\nAddress = 10.0.0.1/24\n', 1, /no PrivateKey/],
    ['missing public key', `${iface}[Peer]\nAllowedIPs = 10.0.0.0/24\n`, 3, /no PublicKey/],
    ['placeholder key', '[Interface]\nPrivateKey = YOUR_PRIVATE_KEY_HERE\n', 2, /placeholder/],
    ['placeholder in brackets', '[Interface]\nPrivateKey = <private key>\n', 2, /placeholder/],
    ['short key', '[Interface]\nPrivateKey = abc=\n', 2, /44 characters/],
    ['base64url key', `[Interface]\nPrivateKey = ${PRIV.replace('+', '-')}\n`, 2, /base64url/],
    ['non-canonical key', `[Interface]\nPrivateKey = ${PRIV.slice(0, 42)}B=\n`, 2, /43rd/],
    ['unknown key', `${iface}Foo = bar\n`, 3, /Unknown key `Foo`/],
    [
      'key with a space',
      `${iface}[Peer]\nPublicKey = ${PUB}\nAllowed IPs = 10.0.0.0/8\n`,
      5,
      /without spaces: AllowedIPs/,
    ],
    ['peer key in interface', `${iface}Endpoint = 198.51.100.1:1\n`, 3, /belongs in a \[Peer\]/],
    ['interface key in peer', peer('Address = 10.0.0.1/24'), 5, /belongs in the \[Interface\]/],
    ['key before any section', `Address = 10.0.0.1/24\n${iface}`, 1, /must come after/],
    ['unknown section', `${iface}[Peers]\n`, 3, /Unknown section/],
    ['second interface', `${iface}${iface}`, 3, /second \[Interface\]/],
    ['no equals', `${iface}PublicKey\n`, 3, /Key = Value/],
    ['empty value', `${iface}ListenPort =\n`, 3, /has no value/],
    ['empty list item', peer('AllowedIPs = 10.0.0.0/8,,10.1.0.0/16'), 5, /empty item/],
    ['trailing comma', `${iface}Address = 10.0.0.1/24,\n`, 3, /empty item/],
    ['bad cidr', peer('AllowedIPs = 10.0.0.0/33'), 5, /prefix length/],
    ['bad ip', `${iface}Address = 10.0.0.256/24\n`, 3, /not an IP address/],
    ['octal-looking ip', peer('AllowedIPs = 010.0.0.0/8'), 5, /not an IP address/],
    ['zoned ipv6', peer('AllowedIPs = fe80::1%eth0/128'), 5, /not an IP address/],
    ['mtu low', `${iface}MTU = 100\n`, 3, /MTU must be/],
    ['mtu high', `${iface}MTU = 70000\n`, 3, /MTU must be/],
    ['mtu text', `${iface}MTU = auto\n`, 3, /MTU must be/],
    ['port high', `${iface}ListenPort = 65536\n`, 3, /0 to 65535/],
    ['port negative', `${iface}ListenPort = -1\n`, 3, /0 to 65535/],
    ['keepalive high', peer('PersistentKeepalive = 70000'), 5, /PersistentKeepalive/],
    ['fwmark', `${iface}FwMark = 0x1ffffffff\n`, 3, /FwMark/],
    ['table', `${iface}Table = sometimes\n`, 3, /Table must be/],
    ['saveconfig', `${iface}SaveConfig = yes\n`, 3, /true or false/],
    ['dns', `${iface}DNS = 1.2.3\n`, 3, /not a valid IPv4/],
    ['dns junk', `${iface}DNS = no way!\n`, 3, /neither an IP address nor a search domain/],
    ['url endpoint', peer('Endpoint = http://host:8000:51820'), 5, /looks like a URL/],
    ['endpoint without port', peer('Endpoint = 198.51.100.1'), 5, /needs a port/],
    ['unbracketed ipv6', peer('Endpoint = 2001:db8::1:51820'), 5, /in brackets/],
    ['bracketed ipv4', peer('Endpoint = [198.51.100.1]:51820'), 5, /must contain an IPv6/],
    ['endpoint port 0', peer('Endpoint = 198.51.100.1:0'), 5, /1 to 65535/],
    ['endpoint bad host', peer('Endpoint = a..b:1'), 5, /neither an IP address nor a host name/],
    ['endpoint bad ipv4', peer('Endpoint = 198.51.100.300:1'), 5, /not a valid IPv4/],
    [
      'duplicate peer',
      `${iface}[Peer]\nPublicKey = ${PUB}\n[Peer]\nPublicKey = ${PUB}\n`,
      6,
      /same PublicKey \(the first is at line 4\)/,
    ],
    ['control character', `${iface}ListenPort = 1\u0007\n`, 3, /control character/],
  ];
  it.each(cases)('%s', (_name, text, line, message) => {
    const e = firstError(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(message);
  });

  it('collects all errors, not just the first', () => {
    const r = checkConfigText(`[Interface]\nPrivateKey = nope\nMTU = 1\n[Peer]\nEndpoint = x\n`);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });

  it('parseConfig throws only ConfigError, carrying every issue', () => {
    try {
      parseConfig('garbage');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.length).toBeGreaterThan(0);
    }
  });
});

describe('warnings for what works but is risky', () => {
  it('warns on AllowedIPs with host bits', () => {
    const r = checkConfigText(peer('AllowedIPs = 10.0.0.1/24'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ line: 5, message: expect.stringMatching(/host bits/) }]);
  });
  it('warns that SaveConfig = true is neutralised', () => {
    const r = checkConfigText(`${iface}SaveConfig = True\n`);
    expect(r.config!.interface.saveConfig).toBe(true);
    expect(r.warnings[0]!.message).toMatch(/ignored/);
    expect(writeForWgQuick(r.config!, true)).not.toMatch(/SaveConfig/i);
  });
  it('warns when a single-valued key is repeated (the last one wins, as in wg)', () => {
    const r = checkConfigText(`${iface}ListenPort = 1\nListenPort = 2\n`);
    expect(r.config!.interface.listenPort).toBe(2);
    expect(r.warnings[0]).toEqual({ line: 4, message: expect.stringMatching(/line 3/) });
  });
});

describe('writer', () => {
  it('round-trips', () => {
    const c = parseConfig(good);
    expect(parseConfig(writeConfig(c))).toEqual(c);
  });
  it('quarantines scripts unless allowed', () => {
    const c = parseConfig(`${iface}PostUp = touch /tmp/pwned\n`);
    expect(writeForWgQuick(c, false)).not.toMatch(/PostUp|pwned/);
    expect(writeForWgQuick(c, true)).toMatch(/PostUp = touch \/tmp\/pwned/);
  });
  it('refuses values that would smuggle lines into the file', () => {
    const c = parseConfig(good);
    c.peers[0]!.endpoint = '198.51.100.1:1\nPostUp = id';
    expect(() => writeConfig(c)).toThrow(/line break/);
  });
});

describe('errors never echo a key', () => {
  it('cuts anything key-like in quoted text to its first 4 characters', async () => {
    const { generateKeyPair } = await import('../../../src/core/wgconf/keys.js');
    const { checkConfigText } = await import('../../../src/core/wgconf/parser.js');
    const { privateKey } = generateKeyPair();
    for (const line of [
      `PrivateKey: ${privateKey}`,
      privateKey,
      `[${privateKey}]`,
      `PrivateKey ${privateKey.slice(0, -1)}`,
    ]) {
      const report = checkConfigText(`[Interface]\n${line}\n`);
      const text = JSON.stringify(report.errors);
      expect(text).not.toContain(privateKey.slice(0, 20));
      expect(report.errors.map((e) => e.message).join(' ')).toContain(`${privateKey.slice(0, 4)}…`);
    }
    expect(checkConfigText(`[Interface]\nPrivateKey: ${privateKey}\n`).errors[1]!.message).toBe(
      `Unknown key \`PrivateKey: ${privateKey.slice(0, 4)}…\``,
    );
  });
});

describe('endpoints that cannot work from outside', () => {
  it("warns, with the line, when a peer's endpoint is a private, ULA, link-local, loopback or CGNAT address", async () => {
    const { checkConfigText } = await import('../../../src/core/wgconf/parser.js');
    const { generateKeyPair } = await import('../../../src/core/wgconf/keys.js');
    const conf = (endpoint: string) =>
      `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\n\n[Peer]\nPublicKey = ${generateKeyPair().publicKey}\nAllowedIPs = 10.0.0.0/24\nEndpoint = ${endpoint}\n`;
    for (const [endpoint, kind] of [
      ['192.168.1.5:51820', 'a private (RFC 1918) address'],
      ['10.1.2.3:1', 'a private (RFC 1918) address'],
      ['[fd00::1]:51820', 'a unique local (fc00::/7) address'],
      ['[fe80::1]:51820', 'a link-local address'],
      ['127.0.0.1:51820', 'a loopback address'],
      ['100.64.1.1:51820', 'a carrier-grade NAT (100.64.0.0/10) address'],
    ]) {
      const r = checkConfigText(conf(endpoint!));
      expect(r.errors).toEqual([]);
      expect(r.warnings).toContainEqual({
        line: 7,
        message: `Endpoint ${endpoint} is ${kind}: this tunnel can connect only from inside that network; use the peer's public address`,
      });
    }
    for (const endpoint of ['198.51.100.1:51820', '[2001:db8::1]:51820', 'vpn.example.org:51820']) {
      expect(
        checkConfigText(conf(endpoint)).warnings.filter((w) => w.message.startsWith('Endpoint')),
      ).toEqual([]);
    }
  });
});
