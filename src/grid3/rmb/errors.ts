/** What an RMB peer throws, and what a handler throws to choose the error its caller receives. */

export class RmbError extends Error {
  override name = 'RmbError';
}
export class RmbTimeoutError extends RmbError {
  override name = 'RmbTimeoutError';
  constructor(
    readonly twin: number,
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}
/** The remote twin (or the relay, `fromRelay`) answered with an RMB error. */
export class RmbRemoteError extends RmbError {
  override name = 'RmbRemoteError';
  constructor(
    readonly code: number,
    readonly remoteMessage: string,
    readonly fromRelay: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Remote errors a handler can choose (`throw new RmbHandlerError(code, msg)`); other throws are code 1. */
export class RmbHandlerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
