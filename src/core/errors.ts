/** An error the user caused and can fix; its message is shown as is, without a stack. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export class NotFoundError extends UserError {
  constructor(what: string, name: string) {
    super(`No ${what} named "${name}"`);
    this.name = 'NotFoundError';
  }
}
