import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  challengeHash,
  challengeHashHex,
  contractDeploymentHash,
  deploymentChallenge,
} from '../../../src/core/grid3/challenge.js';
import { Grid3FormatError } from '../../../src/core/grid3/canonical.js';
import type { Deployment, NetworkWorkload } from '../../../src/core/grid3/deployment.js';
import { DOC_VECTOR, DOC_VECTOR_HASH, prng, randomDeployment, threePeerDeployment } from './fixtures.js';
import { deploymentFactory, gc } from './grid-client.js';
import { toGridClient } from './to-grid-client.js';

const clone = <T>(x: T): T => structuredClone(x);
const net = (d: Deployment) => d.workloads[0] as NetworkWorkload;

/** Ours and grid_client's, compared as strings and as the 16 hash bytes. */
function expectParity(d: Deployment) {
  const theirs = toGridClient(d);
  expect(deploymentChallenge(d)).toBe(theirs.challenge());
  expect(challengeHashHex(d)).toBe(theirs.challenge_hash());
  expect(challengeHash(d)).toEqual(theirs.from_hex(theirs.challenge_hash()));
}

describe('the challenge, against grid_client 2.9.2', () => {
  it('gives the doc test vector', () => {
    expect(challengeHashHex(DOC_VECTOR)).toBe(DOC_VECTOR_HASH);
    expect(toGridClient(DOC_VECTOR).challenge_hash()).toBe(DOC_VECTOR_HASH);
    expect(deploymentChallenge(DOC_VECTOR)).toBe(
      '042{"version":3,"type":"network","name":"mynet","projectName":""}0' +
        '0mynetnetwork' +
        '10.20.0.0/1610.20.2.0/24GLdvVRcc3JyV0g6Mh0I6ptLKSMAkgJpmYB3eX5HfAHU=23456' +
        '9Nbbz0n9vT3lNrBbjlDXYIjtkEtWDDc1VOwm8CwpPTw=185.69.166.7:543210.20.3.0/2410.20.3.0/24100.64.20.3/32' +
        '42false11',
    );
  });

  it('matches byte for byte on a network with three peers (IPv4 and IPv6 endpoints), mycelium and a zmount', () => {
    const d = threePeerDeployment();
    expectParity(d);
    const theirs = toGridClient(d);
    expect(challengeHash(d)).toHaveLength(16);
    expect(contractDeploymentHash(d)).toEqual(new Uint8Array(Buffer.from(theirs.challenge_hash(), 'ascii')));
    expect(contractDeploymentHash(d)).toHaveLength(32);
  });

  it('matches on random deployments', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => expectParity(randomDeployment(prng(seed)))),
      { numRuns: 300 },
    );
  });

  it('changes with every hashed field, as theirs does', () => {
    const base = threePeerDeployment();
    const mutations: Array<(d: Deployment) => void> = [
      (d) => (d.version = 1),
      (d) => (d.twin_id = 7002),
      (d) => (d.metadata += ' '),
      (d) => (d.description = 'x'),
      (d) => (d.expiration = 1),
      (d) => (d.workloads[0]!.version = 1),
      (d) => (d.workloads[0]!.name = 'other_net'),
      (d) => (d.workloads[0]!.metadata = ''),
      (d) => (d.workloads[0]!.description = ''),
      (d) => (net(d).data.ip_range = '10.43.0.0/16'),
      (d) => (net(d).data.subnet = '10.42.9.0/24'),
      (d) => (net(d).data.wireguard_listen_port += 1),
      (d) => (net(d).data.wireguard_private_key = 'x'),
      (d) => (net(d).data.peers[1]!.endpoint = '[2001:db8:4::2]:1024'),
      (d) => (net(d).data.peers[0]!.wireguard_public_key = 'y'),
      (d) => (net(d).data.peers[2]!.subnet = '10.42.7.0/24'),
      (d) => net(d).data.peers[0]!.allowed_ips.reverse(),
      (d) => net(d).data.peers.reverse(),
      (d) => (net(d).data.mycelium!.hex_key = 'cd'.repeat(32)),
      (d) => delete net(d).data.mycelium,
      (d) => d.workloads.reverse(),
      (d) => ((d.workloads[1]!.data as { size: number }).size += 1),
      (d) => (d.signature_requirement.requests[0]!.required = true),
      (d) => (d.signature_requirement.requests[0]!.weight = 2),
      (d) => (d.signature_requirement.weight_required = 2),
    ];
    const seen = new Set([challengeHashHex(base)]);
    for (const mutate of mutations) {
      const d = clone(base);
      mutate(d);
      expectParity(d);
      seen.add(challengeHashHex(d));
    }
    expect(seen.size).toBe(mutations.length + 1);
  });

  it('leaves out contract_id, signatures and results, as theirs does', () => {
    const base = threePeerDeployment();
    const d = clone(base);
    d.contract_id = 123456;
    d.signature_requirement.signatures = [{ twin_id: 7001, signature: 'ab', signature_type: 'ed25519' }];
    d.workloads[0]!.result = { created: 1, state: 'ok', message: '', data: null };
    expect(challengeHashHex(d)).toBe(challengeHashHex(base));
    expectParity(d);
  });

  it('reads back through grid_client (DeploymentFactory.fromObj) from our JSON to the same challenge', async () => {
    const d = threePeerDeployment();
    const theirs = await deploymentFactory(d.twin_id).fromObj(JSON.parse(JSON.stringify(d)));
    expect(theirs.challenge()).toBe(deploymentChallenge(d));
    expect(theirs.contract_id).toBe(0);
  });

  it('uses grid_client’s JSON names', () => {
    const d = threePeerDeployment();
    const names = (o: object) =>
      Object.keys(o)
        .filter((k) => k !== '__type' && k !== 'result')
        .sort();
    const keys = (o: object) => Object.keys(o).sort();
    const n = net(d).data;
    expect(keys(d)).toEqual(names(new gc.Deployment()));
    expect(keys(d.signature_requirement)).toEqual(names(new gc.SignatureRequirement()));
    expect(keys(d.signature_requirement.requests[0]!)).toEqual(names(new gc.SignatureRequest()));
    expect(keys(d.workloads[0]!)).toEqual(names(new gc.Workload()));
    expect(keys(n)).toEqual(names(new gc.Znet()));
    expect(keys(n.peers[0]!)).toEqual(names(new gc.Peer()));
    expect(keys(n.mycelium!)).toEqual(names(new gc.Mycelium()));
    expect(keys(d.workloads[1]!.data)).toEqual(names(new gc.Zmount()));
  });
});

describe('the challenge, against zos (zosbase Go code, fixtures/go-challenge.json)', () => {
  const fixture = JSON.parse(
    readFileSync(new URL('./fixtures/go-challenge.json', import.meta.url), 'utf8'),
  ) as { data: Array<{ deployment: Deployment; challenge: string; hash: string }> };

  it('has the doc vector first', () => {
    expect(fixture.data[0]!.hash).toBe(DOC_VECTOR_HASH);
    expect(fixture.data.length).toBeGreaterThan(50);
  });

  it('matches every deployment byte for byte, and grid_client does too', () => {
    for (const { deployment, challenge, hash } of fixture.data) {
      expect(deploymentChallenge(deployment)).toBe(challenge);
      expect(challengeHashHex(deployment)).toBe(hash);
      expect(toGridClient(deployment).challenge_hash()).toBe(hash);
    }
  });
});

describe('forms zos and grid_client would hash differently', () => {
  const withPeerSubnet = (subnet: string) => {
    const d = threePeerDeployment();
    net(d).data.peers[2]!.allowed_ips[2] = subnet;
    return d;
  };

  it.each([
    ['2001:DB8:6::/48', '2001:db8:6::/48'],
    ['2001:db8:6:0::/48', '2001:db8:6::/48'],
    ['2001:0db8:6::/48', '2001:db8:6::/48'],
    ['10.42.6.0/024', '10.42.6.0/24'],
  ])(
    'refuses %s, naming %s (grid_client would hash the text, zos the canonical form)',
    (given, canonical) => {
      const d = withPeerSubnet(given);
      expect(() => deploymentChallenge(d)).toThrow(Grid3FormatError);
      expect(() => deploymentChallenge(d)).toThrow(`"${canonical}"`);
      expect(toGridClient(d).challenge_hash()).not.toBe(challengeHashHex(withPeerSubnet(canonical)));
    },
  );

  it.each(['10.042.6.0/24', '::ffff:10.42.6.0/120', '', '10.42.6.0', 'fe80::1%eth0/64'])(
    'refuses %j (zos refuses it or writes it otherwise)',
    (given) => expect(() => deploymentChallenge(withPeerSubnet(given))).toThrow(Grid3FormatError),
  );

  it('refuses an uppercase or short mycelium key (zos hashes its bytes in lowercase hex)', () => {
    for (const key of ['AB'.repeat(32), 'ab'.repeat(31)]) {
      const d = threePeerDeployment();
      net(d).data.mycelium!.hex_key = key;
      expect(() => deploymentChallenge(d)).toThrow(/hex_key/);
    }
  });

  it('refuses a signature_style other than "" (zos hashes it, grid_client does not)', () => {
    const d = threePeerDeployment();
    (d.signature_requirement as { signature_style: string }).signature_style = 'polka-wallet';
    expect(() => deploymentChallenge(d)).toThrow(/signature_style/);
    d.signature_requirement.signature_style = '';
    expect(challengeHashHex(d)).toBe(challengeHashHex(threePeerDeployment()));
  });

  it('refuses numbers zos cannot hold and strings it would rewrite', () => {
    const cases: Array<(d: Deployment) => void> = [
      (d) => (d.version = -1),
      (d) => (d.twin_id = 2 ** 32),
      (d) => (d.expiration = 1.5),
      (d) => (net(d).data.wireguard_listen_port = 65536),
      (d) => ((d.workloads[1]!.data as { size: number }).size = 2 ** 53),
      (d) => (d.description = '\ud800'),
    ];
    for (const mutate of cases) {
      const d = threePeerDeployment();
      mutate(d);
      expect(() => deploymentChallenge(d)).toThrow(Grid3FormatError);
    }
  });
});
