/** Slots are tried side by side, a bounded number at a time, and the first that opens wins. */
import { describe, expect, it } from 'vitest';
import { firstOpened } from '../../../src/core/store/passphrase-slot.js';

const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('firstOpened', () => {
  it('resolves with the first result that opens, without waiting for slower attempts', async () => {
    const t = Date.now();
    const got = await firstOpened([300, 20, 300], 3, (ms) => later(ms, ms === 20 ? 'key' : null));
    expect(got).toBe('key');
    expect(Date.now() - t).toBeLessThan(250);
  });

  it('runs at most `width` attempts at once and none after a win', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const got = await firstOpened([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      peak = Math.max(peak, ++running);
      await later(10, null);
      running--;
      return n === 3 ? n : null;
    });
    expect(got).toBe(3);
    expect(peak).toBe(2);
    expect(started.length).toBeLessThanOrEqual(4); // 3 wins while 4 may already run; 5 and 6 never start
  });

  it('is null when nothing opens, also for no items, and rejects on an error', async () => {
    expect(await firstOpened([1, 2, 3], 2, () => later(1, null))).toBeNull();
    expect(await firstOpened([], 2, () => later(1, 'x'))).toBeNull();
    await expect(firstOpened([1], 2, () => Promise.reject(new Error('kdf failed')))).rejects.toThrow(
      'kdf failed',
    );
  });
});
