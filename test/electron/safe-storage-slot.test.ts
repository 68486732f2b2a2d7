/** The system-keyring slot on a fake safeStorage: `basic_text` refused unless accepted, backends kept apart. */
import { describe, expect, it } from 'vitest';
import { safeStorageSlot } from '../../src/electron/safe-storage-slot.js';
import { aeadReady, randomKey } from '../../src/core/crypto/aead.js';
import type { SystemSlot } from '../../src/core/store/key-slots.js';

type SafeStorage = Parameters<typeof safeStorageSlot>[0];

function fakeSafeStorage(backend: string): SafeStorage {
  return {
    getSelectedStorageBackend: () => backend,
    isAsyncEncryptionAvailable: async () => true,
    encryptStringAsync: async (s: string) => Buffer.from(`${backend}:${s}`),
    decryptStringAsync: async (b: Buffer) => {
      const s = b.toString();
      if (!s.startsWith(`${backend}:`)) throw new Error('cannot decrypt');
      return { result: s.slice(backend.length + 1), shouldReEncrypt: false };
    },
  } as unknown as SafeStorage;
}

describe('the system-keyring slot', () => {
  it('wraps and unwraps the data key under a real keyring backend', async () => {
    await aeadReady();
    const m = safeStorageSlot(fakeSafeStorage('gnome_libsecret'), { platform: 'linux' });
    expect(m.notice).toEqual({});
    const key = randomKey();
    const slot = (await m.wrap(key, '0a0b0c0d', 'create')) as SystemSlot;
    expect(slot).toMatchObject({ kind: 'system', backend: 'gnome_libsecret', id: '0a0b0c0d' });
    expect(m.canOpen(slot)).toBe(true);
    expect(await m.unwrap([slot])).toEqual(key);
    // A slot of another backend is never tried; one that no longer decrypts gives null, not a throw.
    const kwallet = safeStorageSlot(fakeSafeStorage('kwallet5'), { platform: 'linux' });
    expect(kwallet.canOpen(slot)).toBe(false);
    expect(await kwallet.unwrap([{ ...slot, backend: 'kwallet5' }])).toBeNull();
  });

  it('refuses basic_text by default, naming what to install', async () => {
    const m = safeStorageSlot(fakeSafeStorage('basic_text'), { platform: 'linux' });
    expect(m.notice.problem).toMatch(
      /basic_text.*Secret Service keyring \(GNOME Keyring: the package gnome-keyring/s,
    );
    // A keyring may be running on a desktop Electron does not recognise: the flag that makes it use it.
    expect(m.notice.problem).toMatch(/Sway.*--password-store=gnome-libsecret/s);
    await expect(m.wrap(new Uint8Array(32), '01020304', 'create')).rejects.toThrow(/No system keyring/);
    expect(
      m.canOpen({ id: '01020304', kind: 'system', backend: 'basic_text', wrapped: 'AA==', createdAt: '' }),
    ).toBe(false);
    expect(await m.openLegacy!({ cipherId: 'electron-safeStorage/basic_text', params: {}, check: '' })).toBe(
      undefined,
    );
  });

  it('accepts basic_text only when asked, and then carries a warning for the window', async () => {
    const m = safeStorageSlot(fakeSafeStorage('basic_text'), { platform: 'linux', allowInsecure: true });
    expect(m.notice.problem).toBeUndefined();
    expect(m.notice.warning).toMatch(/built into Electron/);
    const slot = await m.wrap(new Uint8Array(32).fill(1), '01020304', 'create');
    expect(await m.unwrap([slot])).toEqual(new Uint8Array(32).fill(1));
  });

  it('is the OS store on macOS and Windows', () => {
    expect(safeStorageSlot(fakeSafeStorage('x'), { platform: 'darwin' }).backend).toBe('keychain');
    expect(safeStorageSlot(fakeSafeStorage('x'), { platform: 'win32' }).backend).toBe('dpapi');
  });
});
