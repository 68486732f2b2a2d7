/** Property test: whatever bytes come in, the parser answers with a report (never throws), and what it
 * accepts survives parse → write → parse unchanged. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/core/wgconf/keys.js';
import { checkConfigText, ConfigError, parseConfig } from '../../../src/core/wgconf/parser.js';
import { writeConfig } from '../../../src/core/wgconf/writer.js';

const keys = Array.from({ length: 4 }, () => generateKeyPair());
const fragments = [
  '[Interface]',
  '[Peer]',
  '[interface]',
  '[PEER]',
  '[Other]',
  '#',
  '=',
  ',',
  ' ',
  '\t',
  '\r',
  '\uFEFF',
  '\u0000',
  'PrivateKey',
  'PublicKey',
  'PresharedKey',
  'Address',
  'DNS',
  'MTU',
  'Table',
  'ListenPort',
  'FwMark',
  'SaveConfig',
  'AllowedIPs',
  'Endpoint',
  'PersistentKeepalive',
  'PostUp',
  'PreDown',
  'allowedips',
  'off',
  'auto',
  'true',
  '10.0.0.1/24',
  '10.0.0.0/8',
  'fd00::1/64',
  '::/0',
  '0.0.0.0/0',
  '[2001:db8::1]:51820',
  '198.51.100.7:51820',
  'vpn.example.com:1',
  'http://x:1',
  '1420',
  '65536',
  '-1',
  '25',
  '0x10',
  ...keys.flatMap((k) => [k.privateKey, k.publicKey]),
];

const line = fc.oneof(
  fc.array(fc.constantFrom(...fragments), { maxLength: 6 }).map((parts) => parts.join(' ')),
  fc
    .tuple(
      fc.constantFrom(...fragments),
      fc.constantFrom(' = ', '=', ' =  '),
      fc.array(fc.constantFrom(...fragments), { maxLength: 3 }),
    )
    .map(([k, eq, v]) => k + eq + v.join(', ')),
  fc.string({ maxLength: 40 }),
);
const file = fc
  .tuple(fc.array(line, { maxLength: 14 }), fc.constantFrom('\n', '\r\n'))
  .map(([ls, nl]) => ls.join(nl));

const validConfig = fc
  .record({
    priv: fc.constantFrom(...keys.map((k) => k.privateKey)),
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    mtu: fc.option(fc.integer({ min: 576, max: 65535 }), { nil: undefined }),
    addr: fc.array(fc.constantFrom('10.0.0.2/24', 'fd00::2/64', '192.168.1.1'), { maxLength: 3 }),
    peers: fc.uniqueArray(fc.constantFrom(...keys.map((k) => k.publicKey)), { maxLength: 4 }),
  })
  .map((r) =>
    [
      '[Interface]',
      `PrivateKey = ${r.priv}`,
      r.port !== undefined ? `ListenPort = ${r.port}` : '',
      r.mtu ? `MTU=${r.mtu}` : '',
      r.addr.length ? `Address = ${r.addr.join(',')}` : '',
      ...r.peers.flatMap((p, i) => [
        '[Peer]',
        `PublicKey = ${p}`,
        `AllowedIPs = 10.${i}.0.0/16`,
        i % 2 ? `Endpoint = 198.51.100.${i}:51820` : '',
      ]),
    ].join('\n'),
  );

/** Mutations of valid files: the interesting inputs sit next to valid ones. */
const mutated = fc
  .tuple(
    validConfig,
    fc.nat(),
    fc.constantFrom('delete', 'insert', 'duplicate', 'case'),
    fc.constantFrom(...fragments),
  )
  .map(([text, at, op, frag]) => {
    const i = at % (text.length + 1);
    if (op === 'delete') return text.slice(0, i) + text.slice(i + 1 + (at % 5));
    if (op === 'insert') return text.slice(0, i) + frag + text.slice(i);
    if (op === 'duplicate') return text + '\n' + text.slice(i);
    return text.slice(0, i) + text.slice(i).toUpperCase();
  });

function assertTotalAndStable(text: string) {
  const report = checkConfigText(text);
  expect(Array.isArray(report.errors)).toBe(true);
  for (const e of report.errors) expect(e.line).toBeGreaterThanOrEqual(1);
  if (report.config) {
    expect(report.errors).toEqual([]);
    expect(parseConfig(writeConfig(report.config))).toEqual(report.config);
  } else {
    expect(report.errors.length).toBeGreaterThan(0);
    expect(() => parseConfig(text)).toThrow(ConfigError);
  }
}

describe('parser properties', () => {
  it('never throws and round-trips on 10 000 generated and mutated files', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(file, validConfig, mutated), (text) => {
        assertTotalAndStable(text);
        if (checkConfigText(text).config) accepted++;
      }),
      { numRuns: 10_000 },
    );
    // The generators must reach both sides of the grammar, or the round-trip half proves nothing.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = checkConfigText(bytes);
        expect(r.config !== undefined || r.errors.length > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
