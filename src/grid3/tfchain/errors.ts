/**
 * One error type for both chains, carrying the pallet's error name so callers (and users) see
 * "smartContractModule.NodeNotAvailableToDeploy" rather than a codec dump.
 */
export class ChainError extends Error {
  override name = 'ChainError';
  /** Pallet section in polkadot's camelCase (smartContractModule, tfgridModule, …) or 'transaction'. */
  readonly section: string;
  /** The pallet's error variant (TwinNotExists, …), or a transaction-validity reason (Payment, BadProof, Stale). */
  readonly error: string;

  constructor(section: string, error: string, detail?: string) {
    super(`${section}.${error}${detail ? `: ${detail}` : ''}`);
    this.section = section;
    this.error = error;
  }
}

/** Input our side refuses before anything is signed. */
export class ChainInputError extends Error {
  override name = 'ChainInputError';
}

export class ChainTimeoutError extends Error {
  override name = 'ChainTimeoutError';
}

/** Reject after `ms`; the underlying work is the caller's to stop (onTimeout). */
export async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new ChainTimeoutError(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
