import { UserError } from '../errors.js';

/** The store's secrets cannot be opened (wrong credential, no usable slot, or an altered file). */
export class KeyringLockedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringLockedError';
  }
}
