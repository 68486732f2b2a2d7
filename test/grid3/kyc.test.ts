/**
 * KYC status as grid_client asks it (`GET /api/v1/status?client_id=<address>`), against the stand-in's KYC
 * endpoint over loopback, and against hostile replies: each status comes with a one-line fix, and a broken
 * service is UNKNOWN with a reason naming the path and status, never a throw.
 */
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGridproxy, type GridproxyServer } from '../../src/devnet/v3/gridproxy-server.js';
import { dashboardUrl, kycStatus, kycUrl } from '../../src/grid3/kyc.js';
import { GRID_NETWORKS } from '../../src/grid3/gridproxy.js';
import { ALICE, BOB, CHARLIE, DAVE, fixtureSource } from './gridproxy-fixture.js';

let stand: GridproxyServer;
beforeAll(async () => {
  stand = await startGridproxy({ source: fixtureSource() });
});
afterAll(async () => {
  await stand.close();
});

describe('KYC status against the stand-in', () => {
  it('derives the service URL from the network exactly as grid_client does', () => {
    const gc = createRequire(import.meta.url)('@threefold/grid_client') as {
      GridClient: { prototype: { getDefaultUrls(this: object, n: string): { KYC: string } } };
    };
    for (const n of GRID_NETWORKS) {
      expect(kycUrl(n)).toBe(gc.GridClient.prototype.getDefaultUrls.call({ clientOptions: {} }, n).KYC);
    }
    expect(dashboardUrl('main')).toBe('https://dashboard.grid.tf');
  });

  it('reports each status with where to fix it', async () => {
    const opts = { url: stand.url, network: 'dev' as const };
    expect(await kycStatus(ALICE, opts)).toEqual({
      status: 'VERIFIED',
      fix: 'Nothing to do: this account is KYC-verified.',
    });
    const dave = await kycStatus(DAVE, opts); // never started: the service's 404
    expect(dave.status).toBe('UNVERIFIED');
    expect(dave.fix).toContain('https://dashboard.dev.grid.tf');
    expect(dave.fix).not.toMatch(/\n/);
    expect(await kycStatus(CHARLIE, opts)).toMatchObject({
      status: 'REJECTED',
      fix: expect.stringMatching(/rejected/),
    });
    expect(await kycStatus(BOB, opts)).toMatchObject({
      status: 'PENDING',
      detail: expect.stringMatching(/final=false/),
    });
  });

  it('refuses to ask about something that is not an address', async () => {
    await expect(kycStatus('alice', { url: stand.url })).rejects.toThrow(TypeError);
  });
});

let hostile: Server;
let hostileUrl: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
beforeAll(async () => {
  hostile = createServer((req, res) => answer(req, res));
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hostile.closeAllConnections();
  await new Promise((r) => hostile.close(r));
});

const reply = (status: number, body: string) => (_q: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};

describe('KYC status against hostile replies', () => {
  const ask = () => kycStatus(ALICE, { url: hostileUrl, timeoutMs: 300 });
  const path = `kyc GET /api/v1/status?client_id=${ALICE}`;

  it('is UNKNOWN, naming path and status, on a service error', async () => {
    answer = reply(503, JSON.stringify({ error: 'looking up twinID address from TFChain' }));
    const r = await ask();
    expect(r.status).toBe('UNKNOWN');
    expect(r.detail).toBe(`${path}: HTTP 503: looking up twinID address from TFChain`);
    expect(r.fix).toMatch(/try again later/);
  });

  it('is UNKNOWN on non-JSON, a missing or odd status, another account, or a huge body', async () => {
    const cases: [number, string, RegExp][] = [
      [200, '<html>hello</html>', /HTTP 200: the reply is not JSON/],
      [200, '{"result": null}', /no result object/],
      [200, '{"result": {"status": 1}}', /no status string/],
      [200, '{"result": {"status": "APPROVED"}}', /unknown status "APPROVED"/],
      [200, JSON.stringify({ result: { status: 'VERIFIED', clientId: BOB } }), /about another account/],
      [200, JSON.stringify({ result: { status: 'VERIFIED', pad: 'x'.repeat(100_000) } }), /larger than/],
    ];
    for (const [status, body, why] of cases) {
      answer = reply(status, body);
      const r = await ask();
      expect(r.status, body.slice(0, 40)).toBe('UNKNOWN');
      expect(r.detail).toMatch(why);
    }
  });

  it('is UNKNOWN when the service stays silent', async () => {
    answer = () => {};
    expect(await ask()).toMatchObject({ status: 'UNKNOWN', detail: `${path}: no reply within 300 ms` });
  });
});
