import { describe, expect, it } from 'vitest';
import {
  deriveInterfaceName,
  displayNameProblem,
  isValidInterfaceName,
} from '../../../src/core/wgconf/interface-name.js';

describe('interface names', () => {
  it.each([
    ['office', 'office'],
    ['My Home VPN', 'My-Home-VPN'],
    ['";rm -rf *"', 'rm-rf'],
    ['$(reboot)', 'reboot'],
    ['`id`', 'id'],
    ['..x', 'x'],
    ['très-long nom de tunnel', 'tres-long-nom-d'],
    ['日本', 'wg'],
    ['a'.repeat(40), 'a'.repeat(15)],
  ])('%j becomes %j', (display, iface) => {
    const name = deriveInterfaceName(display);
    expect(name).toBe(iface);
    expect(isValidInterfaceName(name)).toBe(true);
  });

  it('is unique among taken names and stays within 15 characters', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 30; i++) taken.add(deriveInterfaceName('a-very-long-name-here', taken));
    expect(taken.size).toBe(30);
    for (const n of taken) expect(isValidInterfaceName(n)).toBe(true);
  });

  it.each([
    ['', /empty/],
    [' x', /spaces/],
    ['a\nb', /control/],
    ['a\u0000b', /control/],
    ['x'.repeat(300), /at most 64/],
    ['../x', /\//],
    ['..', /\.\./],
  ])('refuses the display name %j', (name, why) => {
    expect(displayNameProblem(name)).toMatch(why);
  });

  it('accepts sensible display names', () => {
    for (const n of ['Office', 'Home (IPv6)', 'ThreeFold – devnet', '";rm -rf *"'])
      expect(displayNameProblem(n)).toBeUndefined();
  });

  it('rejects interface names wg-quick or Linux would refuse', () => {
    for (const n of ['', '.', '..', 'a b', 'x'.repeat(16), 'a/b', 'a;b'])
      expect(isValidInterfaceName(n)).toBe(false);
  });

  it('rejects names starting with - (wireguard-go would read `-f` as its --foreground flag)', () => {
    for (const n of ['-f', '-', '--help', '-wg0']) expect(isValidInterfaceName(n)).toBe(false);
    for (const n of ['wg-0', 'a-', 'x.-', '_-f', '0-f']) expect(isValidInterfaceName(n)).toBe(true);
    for (const display of ['-f', '--foreground', '- x', '-'])
      expect(deriveInterfaceName(display).startsWith('-')).toBe(false);
    expect(isValidInterfaceName(deriveInterfaceName('-f', new Set(['f'])))).toBe(true);
  });
});
