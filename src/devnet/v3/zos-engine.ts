/**
 * The node's provision engine, after zosbase pkg/provision/engine.go: `deploy`/`update` are checked and
 * stored at once (what the RMB call answers), then one job queue, one job at a time, validates the
 * contract and installs, updates or removes workloads, writing each workload's result:
 *
 *   provision    contract check failed → every workload `error` with the reason (zos `storage.Error`);
 *                else each workload installed → `ok`, or `error` with the reason
 *   update       the same check against the new hash, then the Upgrade operations: removes first
 *                ("deleted by an update"), then adds and updates; workloads below the new version stay
 *   deprovision  the contract is gone: each workload `deleted` ("contract canceled event received", zos's
 *                reason) and the deployment forgotten
 *
 * Network workloads become network resources through zos-network.ts, with networkd's port set: a listen port
 * is held by one network resource of the node at a time.
 */
import type { NetworkData, WorkloadResult } from '../../core/grid3/deployment.js';
import type { Chain } from '../../grid3/tfchain/types.js';
import { applyNetwork, linkNames, networkId, rangeProblem, removeNetwork } from './zos-network.js';
import type { StoredDeployment, ZosStorage } from './zos-storage.js';
import {
  contractProblem,
  decodeNetwork,
  zosUpgrade,
  type ZosDeployment,
  type ZosWorkload,
} from './zos-verify.js';

export const CANCEL_REASON = 'contract canceled event received';
export const UPDATE_REMOVE_REASON = 'deleted by an update';

type Job =
  | { op: 'provision'; twin: number; contract: number; validate: boolean }
  | { op: 'update'; target: ZosDeployment; source: ZosDeployment }
  | { op: 'deprovision'; twin: number; contract: number; reason: string };

const now = () => Math.floor(Date.now() / 1000);
const result = (state: WorkloadResult['state'], message = ''): WorkloadResult => ({
  created: now(),
  state,
  message,
  data: null,
});

/** zos's order of types: installs in this order, removals in reverse. */
const ORDER = ['zmount', 'network'];
const rank = (w: ZosWorkload) => ORDER.indexOf(w.type);

export interface EngineOptions {
  nodeId: number;
  netns: string;
  chain: Chain;
  storage: ZosStorage;
  /** Private (0700): wg's configuration files pass through it. */
  stateDir: string;
  log: (line: string) => void;
}

export class ZosEngine {
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly o: EngineOptions) {}

  /** Queues a job; the promise settles when it has run (never rejects: failures become results). */
  enqueue(job: Job): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        await this.#run(job);
      } catch (e) {
        this.o.log(`job ${job.op}: ${(e as Error).message}`);
      }
    });
    this.#queue = run;
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
  }

  /** Ports held by the node's network resources (networkd's port set). */
  ports(): number[] {
    return [...this.o.storage.networks.values()].map((n) => n.port).sort((a, b) => a - b);
  }

  ownLinks(): Set<string> {
    return new Set([...this.o.storage.networks.values()].flatMap((n) => [n.wg, n.bridge]));
  }

  async #run(job: Job): Promise<void> {
    const s = this.o.storage;
    if (job.op === 'deprovision') return this.#deprovision(job.twin, job.contract, job.reason);
    const twin = job.op === 'update' ? job.target.twin_id : job.twin;
    const contract = job.op === 'update' ? job.target.contract_id : job.contract;
    const d = s.get(twin, contract);
    if (!d) return;
    const validate = job.op === 'update' || job.validate;
    if (validate) {
      const problem = await this.#contractProblem(job.op === 'update' ? job.target : d);
      if (problem) {
        // zos `storage.Error`: every workload of the deployment takes the error.
        for (const w of d.workloads) w.result = result('error', problem);
        s.put(d);
        this.o.log(`contract ${contract}: ${problem}`);
        return;
      }
      d.validated = true;
      s.put(d);
    }
    if (job.op === 'provision') {
      for (const w of [...d.workloads].sort((a, b) => rank(a) - rank(b))) {
        // As zos on a re-run: a workload already deleted or failed stays so.
        if (w.result.state === 'deleted' || w.result.state === 'error') continue;
        w.result = this.#install(d, w);
        s.put(d);
      }
      return;
    }
    const ops = zosUpgrade(job.source, job.target);
    const removes = ops.filter((x) => x.op === 'remove').sort((a, b) => rank(b.workload) - rank(a.workload));
    const others = ops.filter((x) => x.op !== 'remove').sort((a, b) => rank(a.workload) - rank(b.workload));
    for (const { workload } of removes) {
      const r = this.#uninstall(d, workload, UPDATE_REMOVE_REASON);
      if (r.state === 'deleted') d.workloads = d.workloads.filter((w) => w.name !== workload.name);
      else d.workloads = d.workloads.map((w) => (w.name === workload.name ? { ...w, result: r } : w));
      s.put(d);
    }
    for (const { workload } of others) {
      const stored: ZosWorkload = { ...workload, result: result('init') };
      const r = this.#install(d, stored);
      const next = { ...stored, result: r };
      const at = d.workloads.findIndex((w) => w.name === workload.name);
      if (at < 0) d.workloads.push(next);
      else d.workloads[at] = next;
      s.put(d);
    }
  }

  async #contractProblem(d: ZosDeployment): Promise<string | undefined> {
    try {
      return contractProblem(await this.o.chain.contract(d.contract_id), d, this.o.nodeId);
    } catch (e) {
      return `failed to get deployment contract: ${(e as Error).message}`;
    }
  }

  #install(d: ZosDeployment, w: ZosWorkload): WorkloadResult {
    const id = `${d.twin_id}-${d.contract_id}-${w.name}`;
    if (w.type === 'zmount') return result('ok');
    if (w.type !== 'network')
      return result('error', `unknown workload type '${w.type}' for reservation id '${id}'`);
    try {
      this.#createNR(d.twin_id, w.name, id, decodeNetwork(w.data));
      return result('ok');
    } catch (e) {
      return result('error', `failed to create network resource for network ${id}: ${(e as Error).message}`);
    }
  }

  /** networkd `CreateNR`: the port is reserved (the resource's previous one released), then applied. */
  #createNR(twin: number, name: string, workloadId: string, n: NetworkData): void {
    const s = this.o.storage;
    const netId = networkId(twin, name);
    const clash = [...s.networks.values()].find(
      (x) => x.netId !== netId && x.port === n.wireguard_listen_port,
    );
    if (clash)
      throw new Error(
        `wireguard listen port already in use, pick another one: port ${n.wireguard_listen_port} is already in the set`,
      );
    const names = linkNames(this.o.nodeId, netId);
    const others = [...s.networks.values()].filter((x) => x.netId !== netId);
    const ownLinks = new Set([...s.networks.values()].flatMap((x) => [x.wg, x.bridge]));
    for (const l of Object.values(names)) ownLinks.add(l);
    try {
      const problem = rangeProblem(this.o.netns, n, others, ownLinks);
      if (problem) throw new Error(problem);
      const applied = applyNetwork(this.o.netns, netId, names, n, this.o.stateDir);
      s.networks.set(netId, { ...applied, workloadId });
      s.save();
      this.o.log(`network resource ${netId} (${workloadId}) applied on ${names.wg}`);
    } catch (e) {
      // zos cleans a failed resource up, and its port with it.
      try {
        removeNetwork(this.o.netns, names);
      } catch {
        // best effort, as zos's cleanup
      }
      s.networks.delete(netId);
      s.save();
      throw e;
    }
  }

  #uninstall(d: ZosDeployment, w: ZosWorkload, reason: string): WorkloadResult {
    if (w.type !== 'network') return result('deleted', reason);
    const s = this.o.storage;
    const netId = networkId(d.twin_id, w.name);
    const applied = s.networks.get(netId);
    try {
      removeNetwork(this.o.netns, applied ?? linkNames(this.o.nodeId, netId));
    } catch (e) {
      return result('error', `failed to delete network resource: ${(e as Error).message}`);
    }
    s.networks.delete(netId);
    s.save();
    this.o.log(`network resource ${netId} removed (${reason})`);
    return result('deleted', reason);
  }

  #deprovision(twin: number, contract: number, reason: string): void {
    const s = this.o.storage;
    const d = s.get(twin, contract);
    if (!d) return;
    let failed = false;
    for (const w of [...d.workloads].sort((a, b) => rank(b) - rank(a))) {
      const r = this.#uninstall(d, w, reason);
      w.result = r;
      if (r.state !== 'deleted') failed = true;
    }
    // zos keeps a deployment whose removal failed (to retry), and forgets it otherwise.
    if (failed) s.put(d);
    else s.delete(twin, contract);
  }

  /**
   * After a restart: re-apply what was installed (zos boot, no contract check), re-run what never ran,
   * and remove network resources no stored workload owns any more (a crash between the two writes).
   */
  boot(): void {
    const s = this.o.storage;
    const owned = new Set<string>();
    for (const d of s.all()) {
      for (const w of d.workloads)
        if (w.type === 'network' && w.result.state !== 'deleted') owned.add(networkId(d.twin_id, w.name));
    }
    for (const n of [...s.networks.values()]) {
      if (owned.has(n.netId)) continue;
      try {
        removeNetwork(this.o.netns, n);
      } catch (e) {
        this.o.log(`stale network resource ${n.netId}: ${(e as Error).message}`);
      }
      s.networks.delete(n.netId);
      s.save();
    }
    for (const d of s.all()) {
      const pending = d.workloads.some((w) => w.result.state === 'init');
      void this.enqueue({
        op: 'provision',
        twin: d.twin_id,
        contract: d.contract_id,
        validate: pending || !d.validated,
      });
    }
  }

  /** The deployments stored, for the contract watch. */
  deployments(): StoredDeployment[] {
    return this.o.storage.all();
  }
}
