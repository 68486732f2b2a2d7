import { UserError } from '../errors.js';

/** The store's secrets cannot be opened (wrong credential, no usable slot, or an altered file). */
export class KeyringLockedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringLockedError';
  }
}

/** The store waits for a passphrase that a person has yet to give (in the app's window): not a failure. */
export class PassphraseNeededError extends KeyringLockedError {
  constructor(message: string) {
    super(message);
    this.name = 'PassphraseNeededError';
  }
}
