/**
 * connectLiveChain fails fast and cleanly, on loopback only: a refused port is ConnectFailed, a socket
 * that never answers is a timeout — no reconnect loop, nothing left running.
 */
import { createServer } from 'node:net';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { connectLiveChain } from '../../../src/grid3/tfchain/index.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('connectLiveChain', () => {
  it('refuses a url that is not a websocket', async () => {
    await expect(connectLiveChain({ url: 'https://tfchain.grid.tf' })).rejects.toThrow(/ws:\/\//);
  });

  it('reports a refused connection', async () => {
    const port = await freePort();
    await expect(connectLiveChain({ url: `ws://127.0.0.1:${port}`, timeoutMs: 5000 })).rejects.toMatchObject({
      name: 'ChainError',
      error: 'ConnectFailed',
    });
  });

  it('times out on a chain that never answers', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const { port } = wss.address() as { port: number };
    try {
      const started = Date.now();
      await expect(connectLiveChain({ url: `ws://127.0.0.1:${port}`, timeoutMs: 800 })).rejects.toMatchObject(
        {
          name: 'ChainTimeoutError',
        },
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });
});
