/** What a devnet node says to the explorer, signed with its ed25519 key (as 0-OS nodes sign theirs). */
import { nodeIdOf, signHex, toHex, type Ed25519Identity } from '../core/crypto/identity-keys.js';
import { signResult } from '../core/overlay/result-signature.js';

export interface NodeAnnouncement {
  farm_id: number;
  ifaces: Array<{ name: string; addrs: string[]; gateway: string[]; macaddress: string }>;
  public_config: {
    master: string;
    type: string;
    ipv4: string;
    ipv6: string;
    gw4: string;
    gw6: string;
    version: number;
  } | null;
  wg_ports: number[];
  os_version?: string;
}

async function call(explorer: string, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${explorer.replace(/\/+$/, '')}/explorer${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function registerNode(
  explorer: string,
  identity: Ed25519Identity,
  a: NodeAnnouncement,
): Promise<unknown> {
  const node_id = nodeIdOf(identity.publicKey);
  const signature = signHex(
    identity,
    `${node_id}${JSON.stringify(a.ifaces)}${JSON.stringify(a.public_config)}`,
  );
  return call(explorer, 'POST', '/nodes', {
    node_id,
    public_key_hex: toHex(identity.publicKey),
    os_version: 'devnet',
    ...a,
    signature,
  });
}

export function heartbeat(explorer: string, identity: Ed25519Identity, uptime: number): Promise<unknown> {
  return call(explorer, 'POST', `/nodes/${nodeIdOf(identity.publicKey)}/uptime`, { uptime });
}

/** Reports a workload's result: state 0 error, 1 ok; `deleted` reports a teardown (state 2). */
export function postResult(
  explorer: string,
  identity: Ed25519Identity,
  workloadId: string,
  r: { state: 0 | 1; message: string } | 'deleted',
): Promise<unknown> {
  const nodeId = nodeIdOf(identity.publicKey);
  const state = r === 'deleted' ? 2 : r.state;
  const message = r === 'deleted' ? '' : r.message;
  const signature = signResult(identity.secretKey, { state, message });
  return call(
    explorer,
    r === 'deleted' ? 'DELETE' : 'PUT',
    `/reservations/workloads/${workloadId}/${nodeId}`,
    { state, message, signature, epoch: Math.floor(Date.now() / 1000) },
  );
}

export interface NetworkWorkload {
  workload_id: string;
  reservation_id: number;
  customer_tid: number;
  type: 'network';
  to_delete: boolean;
  epoch: number;
  content: {
    name: string;
    iprange: string;
    network_resource: import('../core/overlay/model.js').ExplorerNetworkResource;
  };
}

export async function pollWorkloads(
  explorer: string,
  identity: Ed25519Identity,
  from = 0,
): Promise<NetworkWorkload[]> {
  const res = await fetch(
    `${explorer.replace(/\/+$/, '')}/explorer/reservations/workloads/${nodeIdOf(identity.publicKey)}?from=${from}`,
    { signal: AbortSignal.timeout(10_000) },
  );
  if (!res.ok) throw new Error(`workloads: HTTP ${res.status}`);
  return (await res.json()) as NetworkWorkload[];
}
