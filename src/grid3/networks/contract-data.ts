/**
 * The node contract's `deployment_data` and the deployment's `metadata` for a network, as grid_client
 * 2.9.2 writes them (`high_level/network.js addNode`): `{"version":3,"type":"network","name":N,
 * "projectName":P}` in that key order. The dashboard and grid_client find a user's networks by this text,
 * so it must be theirs byte for byte.
 */
export function networkContractData(name: string, projectName = ''): string {
  return JSON.stringify({ version: 3, type: 'network', name, projectName });
}

export type ContractDataKind =
  | { kind: 'network'; name: string; projectName: string }
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; reason: string };

/**
 * What a contract's deployment_data says. A VM's or a gateway's contract is `other` (not a network, not an
 * error); text that is not grid_client's JSON is `malformed` (the caller skips it with a message).
 */
export function readContractData(text: string): ContractDataKind {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'deployment_data is not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    return { kind: 'malformed', reason: 'deployment_data is not a JSON object' };
  }
  const o = v as Record<string, unknown>;
  const type = typeof o['type'] === 'string' ? o['type'] : '';
  if (type !== 'network') return { kind: 'other', type };
  if (typeof o['name'] !== 'string' || o['name'] === '') {
    return { kind: 'malformed', reason: 'a network contract without a name' };
  }
  return {
    kind: 'network',
    name: o['name'],
    projectName: typeof o['projectName'] === 'string' ? o['projectName'] : '',
  };
}
