/**
 * The key store as the window sees it: its slots, whether it is unlocked, and — in the desktop app only —
 * unlocking with a passphrase typed in the window and adding or removing slots. A store made by the CLI
 * (passphrase slot) is opened by the app this way, which then adds its system-keyring slot so that it
 * never asks again; a store made by the app gets a passphrase slot here so that the CLI can open it.
 */
import type { KeyStoreView } from '../contract/api.js';
import { UserError } from '../core/errors.js';
import type { Keyring } from '../core/store/keyring.js';
import { PassphraseNeededError } from '../core/store/keyring-errors.js';
import {
  passphraseSlot,
  type PassphraseSlotOptions,
  type PassphraseSource,
} from '../core/store/passphrase-slot.js';
import type { SlotMethod } from '../core/store/slot-method.js';

/** What the host says of its system keyring: why it cannot be used, or why it should not be trusted. */
export interface SystemKeyringNotice {
  problem?: string;
  warning?: string;
}

/** A passphrase handed over by one window call, for the unlock it starts; forgotten when that ends. */
export class WindowPassphrase {
  private pending?: string;

  readonly source: PassphraseSource = async ({ purpose }) => {
    if (!this.pending)
      throw new PassphraseNeededError(
        purpose === 'unlock'
          ? 'The key store is locked: enter its passphrase under Keys'
          : 'A passphrase is needed: set one under Keys',
      );
    return this.pending;
  };

  /** Runs `use` with the passphrase available to the source, and forgets it afterwards. */
  async with<T>(passphrase: string, use: () => Promise<T>): Promise<T> {
    this.pending = passphrase;
    try {
      return await use();
    } finally {
      this.pending = undefined;
    }
  }
}

export class KeyAccess {
  constructor(
    private readonly keyring: Keyring,
    private readonly o: {
      /** The host's system-keyring method, if it has one usable here. */
      system?: SlotMethod;
      notice?: SystemKeyringNotice;
      /** Present when this window may take a passphrase (the app; not `ui`, which unlocks in its terminal). */
      window?: WindowPassphrase;
      passphraseOptions?: PassphraseSlotOptions;
    },
  ) {}

  view(): KeyStoreView {
    return {
      unlocked: this.keyring.isUnlocked(),
      slots: this.keyring.slots(),
      problem: this.o.notice?.problem ?? null,
      warning: this.o.notice?.warning ?? null,
      passphraseHere: this.o.window !== undefined,
    };
  }

  /** Unlocks (or, for a new store, creates) with this passphrase, then adds the system slot if missing. */
  async unlock(passphrase: string): Promise<KeyStoreView> {
    await this.needWindow().with(passphrase, () => this.keyring.unlock());
    await this.addSystemSlot();
    return this.view();
  }

  async addPassphraseSlot(passphrase: string): Promise<KeyStoreView> {
    this.needWindow();
    await this.keyring.unlock();
    await this.keyring.addSlot(passphraseSlot(async () => passphrase, this.o.passphraseOptions));
    return this.view();
  }

  async removeSlot(id: string): Promise<KeyStoreView> {
    this.needWindow();
    await this.keyring.removeSlot(id);
    return this.view();
  }

  /** After an unlock by passphrase: the app's own slot, so the next start opens without asking. */
  private async addSystemSlot(): Promise<void> {
    const system = this.o.system;
    if (!system || this.o.notice?.problem) return;
    if (this.keyring.slots().some((s) => s.kind === 'system')) return;
    await this.keyring.addSlot(system).catch((e: unknown) => {
      if (!(e instanceof UserError)) throw e;
    });
  }

  private needWindow(): WindowPassphrase {
    if (!this.o.window)
      throw new UserError(
        'Slots are managed from the desktop app or with `overlay-connect keys`; `ui` unlocks in its terminal',
      );
    return this.o.window;
  }
}
