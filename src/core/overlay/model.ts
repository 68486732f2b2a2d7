/** A planned overlay network, as persisted: everything needed to re-plan every NR and register again. */
import type { NodeEndpoints } from './node-endpoints.js';

export interface PlannedNode {
  nodeId: string;
  /** The node's ed25519 public key (hex), which its NR private key is sealed to. */
  publicKeyHex: string;
  /** The node's /24 of the network. */
  subnet: string;
  listenPort: number;
  endpoints: NodeEndpoints;
  wgPublicKey: string;
  /** hex(sealed box of the base64 private key) — only the node can open it; we never keep it in clear. */
  wgPrivateKeyEncrypted: string;
}

export interface PlannedAccess {
  /** The entrypoint node. */
  nodeId: string;
  subnet: string;
  family: 4 | 6;
  /** The laptop's public key; its private key is sealed in the key store with the tunnel. */
  wgPublicKey: string;
  tunnelName: string;
}

export interface ReservationRef {
  id: number;
  /** The exact `json` that was signed and sent: what a delete signs again. */
  json: string;
  expiration: number;
  registeredAt: number;
}

export interface NetworkRecord {
  name: string;
  ipRange: string;
  nodes: PlannedNode[];
  accesses: PlannedAccess[];
  explorer?: string;
  /** The registration in force. */
  reservation?: ReservationRef;
  /** A newer registration being provisioned: it replaces `reservation` once every node reported ok (and
   * only then is the old one deleted); if it fails, the old one keeps running. */
  pending?: ReservationRef;
  /** Older registrations whose deletion is still owed (stores made before `pending` existed). */
  superseded?: ReservationRef[];
  /** The plan changed since the last registration. */
  dirty?: boolean;
  createdAt: string;
}

/** A peer of a network resource, with the explorer's JSON field names. */
export interface ExplorerPeer {
  public_key: string;
  allowed_iprange: string[];
  endpoint: string;
  iprange: string;
}

export interface ExplorerNetworkResource {
  node_id: string;
  wireguard_private_key_encrypted: string;
  wireguard_public_key: string;
  wireguard_listen_port: number;
  iprange: string;
  peers: ExplorerPeer[];
}
