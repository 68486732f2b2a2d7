/**
 * The deployment rules the journeys apply, against zos's and grid_client's: a new deployment is exactly
 * grid_client's `DeploymentFactory.create` (same JSON, same hash), and an update follows zosbase
 * `Deployment.Upgrade` (version + 1, the changed workload at the new version, the others untouched).
 */
import { describe, expect, it } from 'vitest';
import { challengeHashHex } from '../../../src/core/grid3/challenge.js';
import type { Deployment, NetworkWorkload, ZmountWorkload } from '../../../src/core/grid3/deployment.js';
import { networkContractData, readContractData } from '../../../src/grid3/networks/contract-data.js';
import { newDeployment, updatedDeployment } from '../../../src/grid3/networks/deployments.js';
import { isVersionRace } from '../../../src/grid3/networks/errors.js';
import { deploymentFactory } from '../../core/grid3/grid-client.js';
import { toGridClient } from '../../core/grid3/to-grid-client.js';

const net = (version: number, port = 23456, metadata = ''): NetworkWorkload => ({
  version,
  name: 'mynet',
  type: 'network',
  metadata,
  description: '',
  data: {
    ip_range: '10.20.0.0/16',
    subnet: '10.20.2.0/24',
    wireguard_private_key: 'GLdvVRcc3JyV0g6Mh0I6ptLKSMAkgJpmYB3eX5HfAHU=',
    wireguard_listen_port: port,
    peers: [
      {
        subnet: '10.20.3.0/24',
        wireguard_public_key: '9Nbbz0n9vT3lNrBbjlDXYIjtkEtWDDc1VOwm8CwpPTw=',
        allowed_ips: ['10.20.3.0/24', '100.64.20.3/32'],
        endpoint: '185.69.166.7:5432',
      },
    ],
  },
});

describe('deployments as the journeys build them', () => {
  it('a new deployment is grid_client’s DeploymentFactory.create, field for field and hash for hash', () => {
    const metadata = networkContractData('mynet');
    const ours = newDeployment(42, net(0, 23456, '{"version":3,"user_accesses":[]}'), metadata);
    const theirs = deploymentFactory(42).create([toGridClient(ours).workloads[0]!], 0, metadata, '', 0);
    // grid_client leaves contract_id unset until the contract exists (we say 0: not hashed either way),
    // and class-transformer's discriminator rides along in its data.
    const plain = JSON.parse(
      JSON.stringify(theirs, (k, v: unknown) => (k === '__type' ? undefined : v)),
    ) as object;
    expect({ ...plain, contract_id: 0 }).toEqual(JSON.parse(JSON.stringify(ours)));
    expect(theirs.challenge_hash()).toBe(challengeHashHex(ours));
  });

  it('the doc’s test vector: twin 42, one network workload → 8568e3df…', () => {
    const d = newDeployment(42, net(0), networkContractData('mynet'));
    expect(challengeHashHex(d)).toBe('8568e3dfb18de8507824b6f7bfae9dca');
  });

  it('an update is version + 1 with the network workload at that version and the others untouched', () => {
    // A deployment whose workloads lag its version (updated several times, by several clients).
    const disk: ZmountWorkload = {
      version: 2,
      name: 'disk',
      type: 'zmount',
      metadata: '',
      description: '',
      data: { size: 100 * 1024 * 1024 },
    };
    const existing: Deployment = {
      ...newDeployment(42, net(1), networkContractData('mynet')),
      version: 3,
      contract_id: 77,
      workloads: [
        {
          ...net(1, 23456, '{"version":3,"user_accesses":[]}'),
          result: { created: 1, state: 'ok', message: '', data: null },
        },
        { ...disk, result: { created: 1, state: 'ok', message: '', data: null } },
      ],
    };
    existing.signature_requirement.signatures = [{ twin_id: 42, signature: 'ab', signature_type: 'sr25519' }];
    const u = updatedDeployment(existing, net(1, 30000));
    expect(u.version).toBe(4);
    expect(u.contract_id).toBe(77);
    // grid_client's `workload.version += 1` would give 2 here, which zos applies as "unchanged".
    expect(u.workloads.map((w) => [w.name, w.version])).toEqual([
      ['mynet', 4],
      ['disk', 2],
    ]);
    expect(u.workloads.every((w) => w.result === undefined)).toBe(true);
    expect(u.signature_requirement.signatures).toEqual([]);
    expect(toGridClient(u).challenge_hash()).toBe(challengeHashHex(u));
  });

  it('reads deployment_data as grid_client writes it, and tells other and malformed data apart', () => {
    expect(networkContractData('n', 'p')).toBe('{"version":3,"type":"network","name":"n","projectName":"p"}');
    expect(readContractData(networkContractData('n'))).toEqual({
      kind: 'network',
      name: 'n',
      projectName: '',
    });
    expect(readContractData('{"version":3,"type":"vm","name":"x"}')).toEqual({ kind: 'other', type: 'vm' });
    expect(readContractData('nope').kind).toBe('malformed');
    expect(readContractData('[1]').kind).toBe('malformed');
    expect(readContractData('{"type":"network"}').kind).toBe('malformed');
  });

  it('recognises zos’s version messages as a race, and nothing else', () => {
    expect(isVersionRace('expecting deployment version 4, got 3')).toBe(true);
    expect(isVersionRace("invalid version number for workload 'x' expected '4'")).toBe(true);
    expect(isVersionRace('contract hash does not match')).toBe(false);
    expect(isVersionRace(undefined)).toBe(false);
  });
});
