/**
 * "Import an access": the dashboard (grid_client) writes each access's private key into `user_accesses`
 * on every node of the network; from that entry and the access node's workload this rebuilds the
 * wg-quick config, which the dashboard shows only for the first access and only once.
 */
import { parseIpRange } from '../../core/grid3/subnets.js';
import { mergeUserAccesses, readUserAccesses } from '../../core/grid3/user-accesses.js';
import { wgPublicKey } from '../../core/grid3/wg-keys.js';
import type { NetworksContext } from './context.js';
import { NetworkError } from './errors.js';
import { accessConfigFor } from './access-config.js';
import { loadMembers, networkContracts } from './read-network.js';

export interface ImportedAccess {
  network: string;
  nodeId: number;
  subnet: string;
  publicKey: string;
  /** For the caller to seal. */
  privateKey: string;
  config: string;
  endpoint: string;
  warnings: string[];
}

export async function importAccess(
  ctx: NetworksContext,
  name: string,
  nodeId?: number,
): Promise<ImportedAccess> {
  const { byName } = await networkContracts(ctx);
  const contracts = byName.get(name);
  if (!contracts?.length) throw new NetworkError(`you have no network named ${name}`);
  const loaded = await loadMembers(ctx, name, contracts, false);
  if (loaded.members.length === 0) {
    throw new NetworkError(
      `network ${name}: no node gave a usable deployment (${loaded.failures.map((f) => f.error.message).join('; ')})`,
    );
  }
  const warnings = [...loaded.warnings];
  const range = parseIpRange(loaded.members[0]!.workload.data.ip_range);
  const lists = loaded.members.map((m) => {
    const { entries, problems } = readUserAccesses(range, m.workload.metadata);
    for (const p of problems) warnings.push(`node ${m.contract.nodeId} metadata: ${p}`);
    return entries;
  });
  const entries = mergeUserAccesses(lists).filter(
    (e) => e.private_key !== undefined && (nodeId === undefined || e.node_id === nodeId),
  );
  // Only an entry whose access node still serves it (a peer with its subnet and key) gives a config
  // that connects; a stale entry is named and passed over.
  for (const e of entries) {
    const member = loaded.members.find((m) => m.contract.nodeId === e.node_id);
    const publicKey = wgPublicKey(e.private_key!);
    const served = member?.workload.data.peers.some(
      (p) => p.endpoint === '' && p.subnet === e.subnet && p.wireguard_public_key === publicKey,
    );
    if (!member || !served) {
      warnings.push(`the access ${e.subnet} on node ${e.node_id} is in user_accesses but no node serves it`);
      continue;
    }
    const cfg = accessConfigFor(member, e.subnet, e.private_key!);
    const rest = entries.length - 1;
    if (rest > 0) warnings.push(`network ${name} has ${rest} other importable access${rest > 1 ? 'es' : ''}`);
    return {
      network: name,
      nodeId: e.node_id,
      subnet: e.subnet,
      publicKey,
      privateKey: e.private_key!,
      config: cfg.config,
      endpoint: cfg.endpoint,
      warnings: [...warnings, ...cfg.warnings],
    };
  }
  throw new NetworkError(
    `network ${name} has no access ${nodeId === undefined ? '' : `on node ${nodeId} `}whose key is in user_accesses` +
      (warnings.length ? ` (${warnings.join('; ')})` : ''),
  );
}
