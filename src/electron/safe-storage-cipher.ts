/**
 * Keyring cipher on Electron's safeStorage (async API; the sync trio is deprecated in Electron 45). The
 * backend is part of the cipher id, so a store sealed under the OS keyring is never quietly read or
 * re-sealed under `basic_text` (a hard-coded password) when the keyring goes missing.
 */
import type { SafeStorage } from 'electron';
import { SecretDecryptError, type KeyringMeta, type SecretCipher } from '../core/store/cipher.js';
import type { CipherProvider } from '../core/store/keyring.js';

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

export function safeStorageCipher(safeStorage: SafeStorage, backend: string): SecretCipher {
  const insecure = backend === 'basic_text' || backend === 'unknown';
  return {
    id: `electron-safeStorage/${backend}`,
    secure: !insecure,
    insecureReason: insecure
      ? 'No system keyring was found (safeStorage backend "basic_text"): private keys would be protected only by a password built into Electron. Install and unlock a keyring (GNOME Keyring or KWallet).'
      : undefined,
    async encrypt(plaintext) {
      return (await safeStorage.encryptStringAsync(plaintext)).toString('base64');
    },
    async decrypt(ciphertext) {
      try {
        const { result } = await safeStorage.decryptStringAsync(Buffer.from(ciphertext, 'base64'));
        return result;
      } catch (e) {
        throw new SecretDecryptError((e as Error).message);
      }
    },
  };
}

export function safeStorageProvider(
  safeStorage: SafeStorage,
  platform: NodeJS.Platform = process.platform,
): CipherProvider {
  const backend = safeStorageBackend(safeStorage, platform);
  const cipher = safeStorageCipher(safeStorage, backend);
  return {
    cipherId: cipher.id,
    async create() {
      if (!(await safeStorage.isAsyncEncryptionAvailable()))
        throw new Error('The system keyring is not available');
      return { cipher, params: { backend } };
    },
    async open(_meta: KeyringMeta) {
      return cipher;
    },
  };
}
