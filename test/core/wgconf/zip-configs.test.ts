import { describe, expect, it } from 'vitest';
import { configsFromZip } from '../../../src/core/wgconf/zip-configs.js';
import { makeZip } from '../../support/zip.js';

describe('configs from a zip', () => {
  it('reads stored and deflated .conf entries by base name and skips the rest', () => {
    const zip = makeZip([
      { name: 'tunnels/office.conf', data: Buffer.from('[Interface]\n'), deflate: true },
      { name: 'home.CONF', data: Buffer.from('[Peer]\n') },
      { name: 'readme.txt', data: Buffer.from('hi') },
      { name: '../../etc/evil.conf', data: Buffer.from('x') },
    ]);
    expect(configsFromZip(zip).map((c) => [c.name, Buffer.from(c.bytes).toString()])).toEqual([
      ['office', '[Interface]\n'],
      ['home', '[Peer]\n'],
      ['evil', 'x'],
    ]);
  });

  it('refuses what is not a zip, damaged archives and entries too large to be configs', () => {
    expect(() => configsFromZip(Buffer.from('not a zip at all, not even close'))).toThrow(
      'This is not a zip archive',
    );
    expect(() =>
      configsFromZip(makeZip([{ name: 'big.conf', data: Buffer.from('x'), claimedSize: 50 << 20 }])),
    ).toThrow(/too large/);
    const bomb = makeZip([
      { name: 'bomb.conf', data: Buffer.alloc(4 << 20), deflate: true, claimedSize: 10 },
    ]);
    expect(() => configsFromZip(bomb)).toThrow(/cannot be decompressed/);
    const cut = makeZip([{ name: 'a.conf', data: Buffer.from('[Interface]\n') }]);
    cut.writeUInt32LE(0, 0);
    expect(() => configsFromZip(cut)).toThrow(/damaged/);
  });
});
