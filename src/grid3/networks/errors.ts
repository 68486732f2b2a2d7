/**
 * Errors of the network journeys. A user (or the CLI) must be able to tell which node failed and what zos
 * said, and whether anything was left behind; so a node's failure carries the node, its contract and zos's
 * own message, and a journey's failure says what was written and what was undone.
 */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export class NodeError extends NetworkError {
  override name = 'NodeError';
  constructor(
    readonly nodeId: number,
    message: string,
    readonly details: {
      contractId?: number;
      /** zos's own text (an RMB error message or a workload's `result.message`). */
      zosMessage?: string;
      command?: string;
    } = {},
  ) {
    super(message);
  }
  get contractId(): number | undefined {
    return this.details.contractId;
  }
  get zosMessage(): string | undefined {
    return this.details.zosMessage;
  }
}

/** The node did not answer in time (an RMB timeout, or no `ok` before the deploy deadline). */
export class NodeTimeoutError extends NodeError {
  override name = 'NodeTimeoutError';
}

/** gridproxy names another twin for a node than the chain does: nothing is sent to that twin. */
export class NodeTwinMismatchError extends NodeError {
  override name = 'NodeTwinMismatchError';
}

/**
 * A journey that wrote to the chain and then failed. `state` says plainly what is left: `rolled-back`
 * (every contract it created is cancelled again), `partial` (some nodes run the new deployment, some the
 * old; running the same journey again, or its reverse, finishes it), `rollback-failed` (contracts listed
 * in `leftContracts` still exist and cost money until cancelled).
 */
export class JourneyFailedError extends NetworkError {
  override name = 'JourneyFailedError';
  constructor(
    message: string,
    override readonly cause: unknown,
    readonly state: 'rolled-back' | 'partial' | 'rollback-failed',
    readonly leftContracts: number[] = [],
  ) {
    super(message);
  }

  /**
   * For connect: this device's key pair, so that `connectDevice(name, { keyPair })` can finish the same
   * access instead of adding a second one. Not enumerable: an error that is logged or serialised must
   * not carry a private key along.
   */
  declare readonly deviceKeys?: { publicKey: string; privateKey: string };

  withDeviceKeys(keys: { publicKey: string; privateKey: string }): this {
    Object.defineProperty(this, 'deviceKeys', { value: keys, enumerable: false });
    return this;
  }
}

/** zos said the version is not the one it expects: someone else updated the deployment meanwhile. */
export function isVersionRace(message: string | undefined): boolean {
  return !!message && /expecting deployment version|invalid version number/i.test(message);
}
