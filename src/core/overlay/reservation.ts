/**
 * The signed reservation that carries a network (tfexplorer v2): `json` is the exact JSON text of
 * `data_reservation` and `customer_signature` the hex ed25519 signature of its UTF-8 bytes.
 */
import { UserError } from '../errors.js';
import { signHex, type Ed25519Identity } from '../crypto/identity-keys.js';
import { networkResources } from './mesh.js';
import type { NetworkRecord } from './model.js';

export const MIN_RESERVATION_S = 3600;
export const DEFAULT_RESERVATION_S = 365 * 24 * 3600;
/** How long nodes have to report before the explorer gives up on provisioning. */
export const PROVISIONING_WINDOW_S = 10 * 60;

export interface ReservationBody {
  json: string;
  data_reservation: DataReservation;
  customer_tid: number;
  customer_signature: string;
}

export interface DataReservation {
  description: string;
  signing_request_provision: { signers: number[]; quorum_min: number };
  signing_request_delete: { signers: number[]; quorum_min: number };
  expiration_provisioning: number;
  expiration_reservation: number;
  currencies: string[];
  containers: unknown[];
  volumes: unknown[];
  zdbs: unknown[];
  kubernetes: unknown[];
  networks: Array<{
    name: string;
    workload_id: number;
    iprange: string;
    stats_aggregator: unknown[];
    network_resources: ReturnType<typeof networkResources>;
  }>;
}

/** Parses `30d`, `12h`, `90m`, `3600s` or a plain number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([smhdwy]?)$/.exec(text.trim());
  if (!m) throw new UserError(`"${text}" is not a duration like 30d, 12h or 90m`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] as 's'];
  return Number(m[1]) * unit;
}

export function buildReservation(
  net: NetworkRecord,
  tid: number,
  identity: Ed25519Identity,
  durationS: number,
  nowS = Math.floor(Date.now() / 1000),
): ReservationBody {
  if (durationS < MIN_RESERVATION_S)
    throw new UserError('A reservation must last at least 1 hour (the explorer refuses shorter ones)');
  if (!net.nodes.length)
    throw new UserError(`Network ${net.name} has no nodes yet: add some with network add-node`);
  if (!Number.isInteger(tid) || tid <= 0)
    throw new UserError('The identity is not registered in the phonebook yet');
  const data: DataReservation = {
    description: `overlay-connect network ${net.name}`,
    // tfexplorer: a provision quorum of 0 needs no signature; a delete quorum of 0 could never be reached
    // (pipeline.go, checkDeleteSignatures), and signDelete accepts only a listed signer (userCanSign).
    signing_request_provision: { signers: [], quorum_min: 0 },
    signing_request_delete: { signers: [tid], quorum_min: 1 },
    expiration_provisioning: nowS + PROVISIONING_WINDOW_S,
    expiration_reservation: nowS + durationS,
    currencies: ['TFT'],
    containers: [],
    volumes: [],
    zdbs: [],
    kubernetes: [],
    networks: [
      {
        name: net.name,
        workload_id: 1,
        iprange: net.ipRange,
        stats_aggregator: [],
        network_resources: networkResources(net),
      },
    ],
  };
  const json = JSON.stringify(data);
  return { json, data_reservation: data, customer_tid: tid, customer_signature: signHex(identity, json) };
}

/** Body of POST /reservations/{id}/sign/delete (and of the devnet's /pay): the signature covers
 * str(id) + json (tfexplorer's Reservation.SignatureVerify). */
export function buildDeleteRequest(
  id: number,
  json: string,
  tid: number,
  identity: Ed25519Identity,
  nowS = Math.floor(Date.now() / 1000),
) {
  return { tid, signature: signHex(identity, `${id}${json}`), epoch: nowS };
}

/** tfexplorer's enums, read back as integers. */
export const NEXT_ACTION = ['create', 'sign', 'pay', 'deploy', 'delete', 'invalid', 'deleted'] as const;
export const RESULT_STATE = ['error', 'ok', 'deleted'] as const;
