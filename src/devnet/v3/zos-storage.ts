/**
 * The node's memory, as zos keeps it in provisiond's bolt database and networkd's files: the deployments by
 * (twin, contract) with each workload's last result, and the network resources applied (NetID → links and
 * port, networkd's `networkDir`). One JSON file, written atomically with mode 0600 after every change: it
 * holds the networks' private keys, as zos's storage does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../../core/store/private-files.js';
import type { ZosDeployment } from './zos-verify.js';
import type { AppliedNetwork } from './zos-network.js';

export interface StoredDeployment extends ZosDeployment {
  /** The contract passed zos's check once: from then on its cancellation removes the deployment. */
  validated: boolean;
}

export interface StoredNetwork extends AppliedNetwork {
  /** zos's workload id `<twin>-<contract>-<name>` of the workload that owns it. */
  workloadId: string;
}

interface StateFile {
  version: 1;
  deployments: StoredDeployment[];
  networks: StoredNetwork[];
}

export class ZosStorage {
  readonly #path: string;
  readonly #deployments = new Map<string, StoredDeployment>();
  readonly networks = new Map<string, StoredNetwork>();

  constructor(stateDir: string, nodeId: number) {
    ensurePrivateDir(stateDir);
    this.#path = join(stateDir, `zos-node-${nodeId}.json`);
    if (!existsSync(this.#path)) return;
    // Our own file (0600 in a private directory); still, a broken one must not start a broken node.
    const v = JSON.parse(readFileSync(this.#path, 'utf8')) as Partial<StateFile>;
    if (v.version !== 1 || !Array.isArray(v.deployments) || !Array.isArray(v.networks))
      throw new Error(`${this.#path}: not a node agent state file`);
    for (const d of v.deployments) this.#deployments.set(key(d.twin_id, d.contract_id), d);
    for (const n of v.networks) this.networks.set(n.netId, n);
  }

  get(twin: number, contract: number): StoredDeployment | undefined {
    return this.#deployments.get(key(twin, contract));
  }

  all(): StoredDeployment[] {
    return [...this.#deployments.values()];
  }

  byTwin(twin: number): StoredDeployment[] {
    return this.all().filter((d) => d.twin_id === twin);
  }

  put(d: StoredDeployment): void {
    this.#deployments.set(key(d.twin_id, d.contract_id), d);
    this.save();
  }

  delete(twin: number, contract: number): void {
    this.#deployments.delete(key(twin, contract));
    this.save();
  }

  save(): void {
    const v: StateFile = { version: 1, deployments: this.all(), networks: [...this.networks.values()] };
    writePrivateFile(this.#path, JSON.stringify(v), { durable: false });
  }
}

const key = (twin: number, contract: number) => `${twin}:${contract}`;
