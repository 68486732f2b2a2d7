/**
 * A helper that accepts the connection and never answers (hung, or something else listening on its
 * socket): requests time out instead of hanging, and choosing the driver treats it as absent, saying so
 * in one hint. (Here with the packaging tests: the files this change may add are under test/packaging.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chooseDriver, HELPER_PROBE_TIMEOUT_MS } from '../../src/app/choose-driver.js';
import { HelperClient, HelperTimeoutError, REQUEST_TIMEOUT_MS } from '../../src/helper/client.js';

// As a user, not root (these tests may run as root, who needs no helper and is given no hint).
vi.mock('../../src/core/tunnels/runner.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/core/tunnels/runner.js')>()),
  isRoot: () => false,
}));

describe('a helper that accepts and never answers', () => {
  let dir: string;
  let socket: string;
  let server: Server;
  const received: string[] = [];
  const peers = new Set<Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-mute-'));
    socket = join(dir, 'helper.sock');
    server = createServer((c) => {
      peers.add(c);
      c.setEncoding('utf8');
      c.on('data', (d: string) => received.push(...d.split('\n').filter(Boolean)));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  });
  afterAll(() => {
    for (const p of peers) p.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a request fails after its timeout, and the client stays usable for the next', async () => {
    const client = await HelperClient.connect(socket);
    const started = Date.now();
    await expect(client.request('status', {}, 150)).rejects.toThrow(
      new HelperTimeoutError('status', 150).message,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(client.version(100)).rejects.toBeInstanceOf(HelperTimeoutError);
    expect(received.map((l) => JSON.parse(l).op)).toEqual(['status', 'version']);
    client.close();
  });

  it('queries wait 10 s by default, up and down a minute (wg-quick can take seconds)', async () => {
    expect(REQUEST_TIMEOUT_MS).toEqual({ query: 10_000, upDown: 60_000 });
    const client = await HelperClient.connect(socket);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'answered',
          (e: Error) => e.message,
        );
      const status = outcome(client.request('status'));
      const down = outcome(client.request('down', { iface: 'oc-test' }));
      await vi.advanceTimersByTimeAsync(10_001);
      expect(await status).toMatch(/did not answer "status" within 10 s/);
      let downDone = false;
      void down.then(() => (downDone = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(downDone).toBe(false);
      await vi.advanceTimersByTimeAsync(50_000);
      expect(await down).toMatch(/did not answer "down" within 60 s/);
    } finally {
      vi.useRealTimers();
      client.close();
    }
  });

  it('chooseDriver falls back as if there were no helper, with one hint saying why', async () => {
    expect(HELPER_PROBE_TIMEOUT_MS).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS.query);
    const started = Date.now();
    const choice = await chooseDriver({
      dataDir: dir,
      defaultSocket: socket,
      probeTimeoutMs: 200,
      elevate: () => Promise.reject(new Error('not in this test')),
      platform: 'linux',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(choice.via).toBe('elevation');
    expect(choice.hint).toBe(
      `The helper at ${socket} cannot be used: it accepts connections but does not answer (restart it: \`sudo systemctl restart overlay-connect-helper\`)`,
    );
    // An explicit helper (--helper) that does not answer is an error, not a fallback.
    await expect(
      chooseDriver({
        dataDir: dir,
        helperPath: socket,
        probeTimeoutMs: 200,
        elevate: () => Promise.reject(new Error('not in this test')),
        platform: 'linux',
      }),
    ).rejects.toThrow(/Cannot reach the helper at .*: it accepts connections but does not answer/);
  });
});
