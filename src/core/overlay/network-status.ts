/**
 * A network's provisioning as the explorer reports it: each node's state for one reservation, believed
 * only if the result answers the workload this network asked of that node and is signed by that node's
 * key. Apart from the service because this is where an explorer's reply is judged; the service decides
 * from it which reservation is in force.
 */
import type { ReservationInfo } from './explorer-client.js';
import type { NetworkRecord } from './model.js';
import { NEXT_ACTION, RESULT_STATE } from './reservation.js';
import { resultSignatureValid } from './result-signature.js';

export interface NodeProvisioning {
  nodeId: string;
  state: 'ok' | 'error' | 'deleted' | 'pending';
  message: string;
}

export interface ReservationStatus {
  reservationId: number;
  nextAction: number;
  nextActionName: string;
  nodes: NodeProvisioning[];
}

/** The newest registration's provisioning at the top; `previous` is the one still in force while a newer one
 * is being provisioned. */
export interface NetworkStatus extends ReservationStatus {
  network: string;
  previous?: ReservationStatus;
  /** Results the explorer listed that answer nothing this network asked of that node: ignored. */
  ignored: string[];
  /** What changed on this call: a newer reservation taking over, or failing while the old one runs on. */
  notes: string[];
}

/**
 * Each node's result, believed only if it answers the workload this network asked of that node and its
 * signature verifies with that node's key (the one its keys were sealed to). Anything else the explorer
 * lists is ignored and reported in `ignored`.
 */
export function summarize(net: NetworkRecord, info: ReservationInfo, ignored: string[]): ReservationStatus {
  const workloadId = `${info.id}-1`; // buildReservation's one network workload
  const byNode = new Map(net.nodes.map((n) => [n.nodeId, n]));
  for (const r of info.results) {
    if (!byNode.has(r.node_id) || r.workload_id !== workloadId)
      ignored.push(
        `reservation ${info.id}: a result from ${r.node_id} for workload ${r.workload_id}, which this network did not ask of it`,
      );
  }
  const nodes = net.nodes.map((n): NodeProvisioning => {
    const mine = info.results
      .filter((r) => r.node_id === n.nodeId && r.workload_id === workloadId)
      .sort((a, b) => b.epoch - a.epoch)[0];
    if (!mine) return { nodeId: n.nodeId, state: 'pending', message: '' };
    if (!resultSignatureValid(n.publicKeyHex, mine)) {
      return {
        nodeId: n.nodeId,
        state: 'error',
        message: `the result the explorer shows for node ${n.nodeId} is not signed by that node's key: refusing it (a wrong explorer, or a tampered reply)`,
      };
    }
    return {
      nodeId: n.nodeId,
      state: RESULT_STATE[mine.state] ?? 'error',
      message: String(mine.message ?? ''),
    };
  });
  return {
    reservationId: info.id,
    nextAction: info.next_action,
    nextActionName: NEXT_ACTION[info.next_action] ?? `unknown (${info.next_action})`,
    nodes,
  };
}
