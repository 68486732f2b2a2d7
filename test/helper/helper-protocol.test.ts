/**
 * The helper's socket under hostile clients: malformed and oversized requests, bursts, silent clients and
 * random bytes each get a clear error or a closed connection, and the helper keeps serving everyone else.
 * The server is the real one over a real Unix socket; its wg-quick runner refuses to run anything (these
 * tests are about the protocol; real tunnels through the helper are in helper-real.test.ts).
 */
import { rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxAdapter } from '../../src/core/tunnels/platform-adapters.js';
import type { CommandLine } from '../../src/core/tunnels/command-line.js';
import { WgQuickDriver } from '../../src/core/tunnels/wg-quick-driver.js';
import { HelperClient } from '../../src/helper/client.js';
import { MAX_REQUEST_BYTES, parseRequest, ProtocolError } from '../../src/helper/protocol.js';
import { HelperServer } from '../../src/helper/server.js';
import { rootOnlyTempDir } from '../support/root-dir.js';

const tools = {
  wgQuick: '/usr/bin/wg-quick',
  wg: '/usr/bin/wg',
  ip: '/usr/sbin/ip',
  wireguardGo: '/usr/bin/wireguard-go',
};

/** A line-reading client over a raw socket, to send what a well-behaved client never would. */
class Raw {
  private buffer = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  closed = false;
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static open(path: string): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path, () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }
  next(): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line));
    return new Promise((resolve) => this.waiting.push((l) => resolve(JSON.parse(l))));
  }
  ask(text: string): Promise<Record<string, unknown>> {
    this.socket.write(text + '\n');
    return this.next();
  }
  closedSoon(ms = 3000): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}

describe('helper protocol: parseRequest', () => {
  it('takes exactly the known requests', () => {
    expect(parseRequest('{"v":1,"id":1,"op":"status"}')).toEqual({ v: 1, id: 1, op: 'status' });
    expect(parseRequest('{"v":1,"id":2,"op":"up","iface":"wg0","config":"[Interface]"}')).toEqual({
      v: 1,
      id: 2,
      op: 'up',
      iface: 'wg0',
      config: '[Interface]',
    });
  });
  it.each([
    ['not json', 'The request is not JSON'],
    ['[]', 'must be a JSON object'],
    ['{"v":1,"op":"status"}', '"id" must be a non-negative integer'],
    ['{"v":2,"id":1,"op":"status"}', 'Unsupported protocol version 2'],
    ['{"v":1,"id":1,"op":"exec"}', 'Unknown operation "exec"'],
    ['{"v":1,"id":1,"op":"status","path":"/etc/shadow"}', '"status" takes no field "path"'],
    ['{"v":1,"id":1,"op":"up","iface":"../x","config":""}', '"iface" must be an interface name'],
    ['{"v":1,"id":1,"op":"up","iface":"..","config":""}', '"iface" must be an interface name'],
    ['{"v":1,"id":1,"op":"down","iface":"sixteen-chars-xx"}', '"iface" must be an interface name'],
    ['{"v":1,"id":1,"op":"up","iface":"wg0","config":42}', '"config" must be the text of a config'],
    ['{"v":1,"id":1,"op":"__proto__"}', 'Unknown operation'],
  ])('refuses %s', (line, message) => {
    expect(() => parseRequest(line)).toThrow(ProtocolError);
    expect(() => parseRequest(line)).toThrow(message);
  });
});

describe('the helper server under hostile clients', () => {
  let dir: string;
  let server: HelperServer;
  let sock: string;
  const ran: CommandLine[] = [];

  beforeAll(async () => {
    dir = rootOnlyTempDir('oc-helper-proto-');
    sock = join(dir, 'helper.sock');
    const driver = new WgQuickDriver({
      runDir: join(dir, 'run'),
      tools,
      adapter: linuxAdapter(tools),
      kernelWireguard: () => true,
      runner: async (cmd) => {
        ran.push(cmd);
        return { code: 1, stdout: '', stderr: 'not run in this test' };
      },
    });
    server = new HelperServer({
      socketPath: sock,
      netns: null,
      policyPath: join(dir, 'none.json'),
      driver,
      version: 'test',
      log: () => undefined,
      idleMs: 400,
    });
    await server.listen();
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers bad requests with an error and keeps the connection', async () => {
    const c = await Raw.open(sock);
    expect(await c.ask('{"v":1,"id":7,"op":"reboot"}')).toMatchObject({
      v: 1,
      id: 7,
      ok: false,
      code: 'bad-request',
      error: 'Unknown operation "reboot"',
    });
    expect(await c.ask('{{{')).toMatchObject({ id: null, ok: false, code: 'bad-request' });
    expect(await c.ask('{"v":1,"id":8,"op":"down","iface":"a/b"}')).toMatchObject({ id: 8, ok: false });
    expect(await c.ask('{"v":1,"id":9,"op":"down","iface":"eth0"}')).toMatchObject({
      id: 9,
      ok: false,
      code: 'refused',
      error: 'eth0 is not a tunnel of yours brought up by this helper: it is left alone',
    });
    expect(
      await c.ask('{"v":1,"id":10,"op":"up","iface":"wg0","config":"[Interface]\\nPrivateKey = nope\\n"}'),
    ).toMatchObject({ id: 10, ok: false, code: 'invalid-config' });
    expect(await c.ask('{"v":1,"id":11,"op":"version"}')).toMatchObject({
      id: 11,
      ok: true,
      result: { version: 'test', protocol: 1, netns: null },
    });
    expect(c.closed).toBe(false);
    c.socket.destroy();
    expect(ran).toEqual([]);
  });

  it('never echoes a key from a refused config', async () => {
    const c = await Raw.open(sock);
    const key = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
    const reply = await c.ask(
      JSON.stringify({
        v: 1,
        id: 1,
        op: 'up',
        iface: 'wg0',
        config: `[Interface]\nPrivateKey = ${key}\nBogus = ${key}\n`,
      }),
    );
    expect(reply.ok).toBe(false);
    expect(JSON.stringify(reply)).not.toContain(key.slice(0, 20));
    c.socket.destroy();
  });

  it('closes a connection that sends a 10 MiB line, and serves the next client', async () => {
    const c = await Raw.open(sock);
    const chunk = 'x'.repeat(1 << 20);
    for (let i = 0; i < 10 && !c.closed; i++) c.socket.write(chunk);
    const reply = await c.next();
    expect(reply).toMatchObject({
      ok: false,
      code: 'too-large',
      error: `A request may be at most ${MAX_REQUEST_BYTES} bytes`,
    });
    expect(await c.closedSoon()).toBe(true);
    const d = await Raw.open(sock);
    expect(await d.ask('{"v":1,"id":1,"op":"status"}')).toMatchObject({ ok: true, result: { links: [] } });
    d.socket.destroy();
  });

  it('answers a burst of 1000 requests in order', async () => {
    const c = await Raw.open(sock);
    c.socket.write(
      Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({ v: 1, id: i, op: i % 2 ? 'version' : 'nope' }),
      ).join('\n') + '\n',
    );
    for (let i = 0; i < 1000; i++) {
      const r = await c.next();
      expect(r.id).toBe(i);
      expect(r.ok).toBe(i % 2 === 1);
    }
    c.socket.destroy();
  });

  it('closes a client that connects and sends nothing, but not a subscriber', async () => {
    const silent = await Raw.open(sock);
    const sub = await Raw.open(sock);
    expect(await sub.ask('{"v":1,"id":1,"op":"subscribe"}')).toMatchObject({
      ok: true,
      result: { links: [] },
    });
    expect(await silent.closedSoon()).toBe(true);
    expect(sub.closed).toBe(false);
    sub.socket.destroy();
  });

  it('survives random lines (fast-check) and still serves a well-behaved client', async () => {
    const c = await Raw.open(sock);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ v: 1, id: 1, op: 'up', iface: 'wg0', config: v })),
        ),
        async (text) => {
          const line = text.replace(/\n/g, ' ');
          if (line.trim() === '') return;
          const r = await c.ask(line);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
    expect(ran).toEqual([]);
    c.socket.destroy();
    const client = await HelperClient.connect(sock);
    expect(await client.version()).toMatchObject({ version: 'test' });
    client.close();
  });
});
