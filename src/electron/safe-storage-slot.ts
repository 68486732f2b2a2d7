/**
 * The system-keyring slot on Electron's safeStorage (async API; the sync trio is deprecated in Electron 45).
 * On Linux without a Secret Service, safeStorage falls back to `basic_text`: a password built into
 * Electron, which protects nothing. That backend is refused unless the user opts in
 * (`--allow-insecure-keyring`), and then the window says so. A slot remembers its backend, so one made under
 * the OS keyring is never tried (or replaced) under `basic_text` when the keyring goes missing.
 */
import type { SafeStorage } from 'electron';
import { SecretDecryptError, type LegacyKeyringMeta, type SecretCipher } from '../core/store/cipher.js';
import type { SystemSlot } from '../core/store/key-slots.js';
import type { SlotMethod } from '../core/store/slot-method.js';
import { UserError } from '../core/errors.js';
import type { SystemKeyringNotice } from '../app/key-access.js';

export const INSECURE_KEYRING_FLAG = '--allow-insecure-keyring';

/** `getSelectedStorageBackend` exists on Linux only; elsewhere the OS store (Keychain, DPAPI) is used. */
export function safeStorageBackend(
  safeStorage: SafeStorage,
  platform: NodeJS.Platform = process.platform,
): string {
  return platform === 'linux'
    ? safeStorage.getSelectedStorageBackend()
    : platform === 'darwin'
      ? 'keychain'
      : 'dpapi';
}

export interface SystemSlotMethod extends SlotMethod {
  readonly backend: string;
  readonly notice: SystemKeyringNotice;
}

export function safeStorageSlot(
  safeStorage: SafeStorage,
  options: { platform?: NodeJS.Platform; allowInsecure?: boolean } = {},
): SystemSlotMethod {
  const backend = safeStorageBackend(safeStorage, options.platform);
  const insecure = backend === 'basic_text' || backend === 'unknown';
  const refused = insecure && !options.allowInsecure;
  const notice: SystemKeyringNotice = refused
    ? {
        problem:
          `No system keyring was found (Electron's safeStorage backend is "${backend}", a password built into Electron that protects nothing), so it is not used. ` +
          'Install and unlock a Secret Service keyring (GNOME Keyring: the package gnome-keyring; or KWallet), then restart the app. ' +
          // Electron picks the backend from the desktop's name: on one it does not know (Sway, Hyprland,
          // i3, …) it takes basic_text even with a keyring running, unless told which to use.
          'If a keyring is running already but your desktop is not one Electron recognises (Sway, Hyprland, i3…), start the app with --password-store=gnome-libsecret (KWallet: --password-store=kwallet6). ' +
          `Meanwhile the keys can be protected with a passphrase here, or you can accept the risk by starting the app with ${INSECURE_KEYRING_FLAG}.`,
      }
    : insecure
      ? {
          warning: `Keys are protected only by a password built into Electron (safeStorage "${backend}"), because you started the app with ${INSECURE_KEYRING_FLAG}: anyone who can read your files can open them. Install a Secret Service keyring (gnome-keyring or KWallet) to fix this.`,
        }
      : {};
  const encrypt = async (text: string) => (await safeStorage.encryptStringAsync(text)).toString('base64');
  const decrypt = async (text: string) => {
    try {
      return (await safeStorage.decryptStringAsync(Buffer.from(text, 'base64'))).result;
    } catch (e) {
      throw new SecretDecryptError((e as Error).message);
    }
  };
  return {
    kind: 'system',
    backend,
    notice,
    canOpen: (slot) => !refused && slot.kind === 'system' && slot.backend === backend,
    async unwrap(slots) {
      for (const slot of slots) {
        if (slot.kind !== 'system') continue;
        try {
          const key = Buffer.from(await decrypt(slot.wrapped), 'base64');
          if (key.length === 32) return new Uint8Array(key);
        } catch {
          // the keyring was reset or replaced: another slot may still open
        }
      }
      return null;
    },
    async wrap(dataKey, slotId): Promise<SystemSlot> {
      if (refused) throw new UserError(notice.problem!);
      if (!(await safeStorage.isAsyncEncryptionAvailable()))
        throw new UserError('The system keyring is not available (is it unlocked?)');
      const wrapped = await encrypt(Buffer.from(dataKey).toString('base64'));
      return { id: slotId, kind: 'system', backend, wrapped, createdAt: new Date().toISOString() };
    },
    async openLegacy(meta: LegacyKeyringMeta): Promise<SecretCipher | undefined> {
      if (refused || meta.cipherId !== `electron-safeStorage/${backend}`) return undefined;
      return { id: meta.cipherId, encrypt, decrypt };
    },
  };
}
