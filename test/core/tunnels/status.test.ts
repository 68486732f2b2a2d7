import { describe, expect, it } from 'vitest';
import { parseNetDev } from '../../../src/core/tunnels/link-stats.js';
import { explainFailure } from '../../../src/core/tunnels/tunnel-service.js';
import { deriveStatus, type Signals } from '../../../src/core/tunnels/tunnel-status.js';
import { KeyedMutex } from '../../../src/core/tunnels/keyed-mutex.js';
import { parseWgDump, summarizePeers } from '../../../src/core/tunnels/wg-dump.js';

const base: Signals = {
  name: 't',
  iface: 't',
  netns: null,
  operation: null,
  present: true,
  error: null,
  rxBytes: 100,
  txBytes: 50,
  latestHandshake: 1000,
  handshakeKnown: true,
  unansweredSince: null,
  endpoint: '198.51.100.1:51820',
  peers: null,
  now: 1010,
};

describe('deriveStatus', () => {
  it('is up while everything sent was answered, however old the handshake (an idle tunnel is healthy)', () => {
    expect(deriveStatus(base)).toMatchObject({
      state: 'up',
      rxBytes: 100,
      latestHandshake: 1000,
      detail: null,
    });
    expect(deriveStatus({ ...base, now: 1000 + 3600 }).state).toBe('up');
    expect(deriveStatus({ ...base, latestHandshake: null })).toMatchObject({
      state: 'up',
      detail: 'No handshake yet: nothing has been sent through it',
    });
    expect(deriveStatus({ ...base, handshakeKnown: false, latestHandshake: null })).toMatchObject({
      state: 'up',
      detail: null,
    });
  });
  it("flags a peer that has not answered for longer than WireGuard's keepalive + rekey timeout (15 s)", () => {
    expect(deriveStatus({ ...base, unansweredSince: 1000, now: 1015 }).state).toBe('up');
    expect(deriveStatus({ ...base, unansweredSince: 1000, now: 1016 })).toMatchObject({
      state: 'connecting',
      detail: 'No reply from the peer for 16 s (the last handshake was 16 s ago)',
    });
    expect(deriveStatus({ ...base, latestHandshake: null, unansweredSince: 1000, now: 1400 })).toMatchObject({
      state: 'connecting',
      detail: 'No reply from the peer for 7 min (no handshake with the peer yet)',
    });
  });
  it('is connecting during an operation, down without an interface, error after a failure', () => {
    expect(deriveStatus({ ...base, operation: 'up', present: false }).state).toBe('connecting');
    expect(deriveStatus({ ...base, present: false })).toMatchObject({
      state: 'down',
      rxBytes: null,
      endpoint: null,
    });
    expect(deriveStatus({ ...base, present: false, error: 'boom' })).toMatchObject({
      state: 'error',
      error: 'boom',
    });
  });
});

describe('signal parsers', () => {
  it('reads /proc/net/dev', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0
office:    4242      10    0    0    0     0          0         0     9001      12    0    0    0     0       0          0
`;
    expect(parseNetDev(text)).toEqual(
      new Map([
        ['lo', { rxBytes: 120, txBytes: 120 }],
        ['office', { rxBytes: 4242, txBytes: 9001 }],
      ]),
    );
  });

  it('reads peers from wg show dump and drops the private-key line', () => {
    const dump =
      'PRIVATEKEY=\tPUB=\t51820\toff\npeerA=\t(none)\t198.51.100.1:51820\t10.0.0.0/24\t1700000000\t100\t200\t25\npeerB=\t(none)\t(none)\t10.1.0.0/24\t0\t0\t0\toff\n';
    const peers = parseWgDump(dump);
    expect(peers).toEqual([
      {
        publicKey: 'peerA=',
        endpoint: '198.51.100.1:51820',
        latestHandshake: 1700000000,
        rxBytes: 100,
        txBytes: 200,
      },
      { publicKey: 'peerB=', endpoint: null, latestHandshake: null, rxBytes: 0, txBytes: 0 },
    ]);
    expect(JSON.stringify(peers)).not.toContain('PRIVATEKEY');
    expect(summarizePeers(peers)).toEqual({
      latestHandshake: 1700000000,
      endpoint: '198.51.100.1:51820',
      rxBytes: 100,
      txBytes: 200,
    });
  });

  it('keeps the meaningful line of a wg-quick failure', () => {
    const stderr =
      '[#] ip link add x type wireguard\nError: Unknown device type.\n[!] Missing WireGuard kernel module.\n┌────┐\n│ banner │\n└────┘\n[#] resolvconf -a x\n/usr/bin/wg-quick: line 32: resolvconf: command not found\n[#] ip link delete dev x\n';
    expect(explainFailure(stderr, 'x')).toMatch(/resolvconf: command not found \(apt-get install openresolv/);
    expect(explainFailure('ERROR: (x) UAPI listen error: unix socket in use\n', 'x')).toBe(
      'another WireGuard interface named x is running (perhaps in another network namespace)',
    );
  });
});

describe('KeyedMutex', () => {
  it('runs one key at a time and different keys side by side', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const step = (k: string, ms: number) =>
      m.run(k, async () => {
        log.push(`${k}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${k}-`);
      });
    await Promise.all([step('a', 30), step('a', 1), step('b', 1)]);
    expect(log.indexOf('a-')).toBeLessThan(log.lastIndexOf('a+'));
    expect(log.indexOf('b+')).toBeLessThan(log.indexOf('a-'));
  });
  it('keeps going after a failure', async () => {
    const m = new KeyedMutex();
    await expect(
      m.run('a', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    await expect(m.run('a', async () => 1)).resolves.toBe(1);
  });
});
