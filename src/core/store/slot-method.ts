/** One way of unlocking the store's data key, as a host offers it (the CLI: a passphrase; the app: the
 * system keyring, and a passphrase typed in the window). */
import type { LegacyKeyringMeta, SecretCipher } from './cipher.js';
import type { SlotRecord } from './key-slots.js';

/** Why a new slot is being made: a prompt says "new passphrase" for create and add, nothing for migrate. */
export type WrapPurpose = 'create' | 'add' | 'migrate';

export interface SlotMethod {
  readonly kind: SlotRecord['kind'];
  /** Whether this method can try this slot (a system slot made by another backend cannot). */
  canOpen(slot: SlotRecord): boolean;
  /** The data key from the first of `slots` (all of them ones it can open) that its one credential opens —
   * a passphrase is asked once, whichever slot it belongs to — or null when none does. */
  unwrap(slots: SlotRecord[]): Promise<Uint8Array | null>;
  /** A new slot holding `dataKey`. Throws a UserError when this method cannot make one here. */
  wrap(dataKey: Uint8Array, slotId: string, purpose: WrapPurpose): Promise<SlotRecord>;
  /** The cipher of a keyring made before slots existed, if it was this method's kind; for migration. */
  openLegacy?(meta: LegacyKeyringMeta): Promise<SecretCipher | undefined>;
}
