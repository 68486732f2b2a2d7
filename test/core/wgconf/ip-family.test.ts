/**
 * ipFamily answers as glibc's inet_pton, which wg uses. The expected column is what Python's
 * `socket.inet_pton` (glibc's, on Linux) said for each text, tried as AF_INET, then AF_INET6:
 *
 *   import socket
 *   for text in cases:
 *       for fam, n in ((socket.AF_INET, 4), (socket.AF_INET6, 6)):
 *           try: socket.inet_pton(fam, text); print(repr(text), n); break
 *           except OSError: pass
 *       else: print(repr(text), None)
 *
 * (Python 3.11, Debian 12's glibc 2.36). The test does not call Python.
 */
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipFamily, parseCidr } from '../../../src/core/wgconf/values.js';

const table: Array<[string, 4 | 6 | undefined]> = [
  ['1.2.3.4', 4],
  ['0.0.0.0', 4],
  ['255.255.255.255', 4],
  ['1.2.3.0', 4],
  ['256.1.1.1', undefined],
  ['1.2.3.04', undefined],
  ['01.2.3.4', undefined],
  ['00.1.2.3', undefined],
  ['1.2.3', undefined],
  ['1.2.3.4.5', undefined],
  ['1.2.3.4 ', undefined],
  [' 1.2.3.4', undefined],
  ['0x1.2.3.4', undefined],
  ['1.2.3.-4', undefined],
  ['1..3.4', undefined],
  ['', undefined],
  ['::', 6],
  ['::1', 6],
  ['1::', 6],
  ['::ffff:1.2.3.4', 6],
  ['::1.2.3.4', 6],
  ['::ffff:0.0.0.0', 6],
  ['::0.0.0.0', 6],
  ['::01.2.3.4', undefined],
  ['::1.2.3.04', undefined],
  ['::1.2.3', undefined],
  ['::1.2.3.4.5', undefined],
  ['::256.1.2.3', undefined],
  ['::1.2.3.4:5', undefined],
  ['1.2.3.4::', undefined],
  ['1:2:3:4:5:6:7:8', 6],
  ['1:2:3:4:5:6:7:8:9', undefined],
  ['1:2:3:4:5:6:7', undefined],
  ['1:2:3:4:5:6:7::', 6],
  ['::2:3:4:5:6:7:8', 6],
  ['1:2:3:4:5:6:7::8', undefined],
  ['1::2:3:4:5:6:7:8', undefined],
  ['1:2:3:4:5:6:1.2.3.4', 6],
  ['1:2:3:4:5:6:7:1.2.3.4', undefined],
  ['1:2:3:4:5::1.2.3.4', 6],
  ['1:2:3:4:5:6::1.2.3.4', undefined],
  ['fe80::1%eth0', undefined],
  ['2001:db8::1', 6],
  ['2001:DB8::A', 6],
  ['0001:0002::', 6],
  ['00001::', undefined],
  ['12345::', undefined],
  ['g::', undefined],
  ['1:::2', undefined],
  [':::', undefined],
  [':1::', undefined],
  ['1::2::3', undefined],
  ['1:2:3:4:5:6:7:', undefined],
  [':1:2:3:4:5:6:7:8', undefined],
  ['[::1]', undefined],
];

describe('ipFamily answers as inet_pton', () => {
  it.each(table)('%j → %s', (text, family) => {
    expect(ipFamily(text)).toBe(family);
    // What it accepts, the rest of the parser can read (parseCidr goes on with ipaddr.js).
    if (family) {
      expect(() => ipaddr.parse(text)).not.toThrow();
      expect(parseCidr(text)).toMatchObject({ family, prefix: family === 4 ? 32 : 128 });
    } else expect(parseCidr(`${text}/8`)).toMatch(/is not an IP address/);
  });
});
