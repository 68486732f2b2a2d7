/**
 * An archive import has the same limits, refused in the same words, on both transports (issue 19, item 6):
 * Electron IPC (the real host on the model of Electron) and the loopback web host (the real `ui` process).
 * The largest archive the contract allows goes through both; one byte more, or much more, is refused by
 * both with the contract's message. And an archive is written to the store once, not once per entry.
 */
import { mkdtempSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOf } from '../../src/contract/api.js';
import {
  ARCHIVE_MAX_BASE64,
  ARCHIVE_MAX_BYTES,
  ARCHIVE_TOO_LARGE,
  HTTP_BODY_MAX,
} from '../../src/contract/limits.js';
import { bootHost, ownWindow, type Fake } from '../support/electron-host.js';
import { sampleConfig } from '../support/store.js';
import { startUi } from '../support/ui-host.js';
import { makeZip } from '../support/zip.js';

/** A zip of exactly `size` bytes: one config, the rest a stored file the reader skips (not a .conf). */
function zipOfSize(size: number, name: string): Buffer {
  const entries = (pad: number) => [
    { name: `${name}.conf`, data: Buffer.from(sampleConfig().text) },
    { name: 'padding.bin', data: Buffer.alloc(pad, 0x61) },
  ];
  const pad = size - makeZip(entries(0)).length;
  const zip = makeZip(entries(pad));
  expect(zip.length).toBe(size);
  return zip;
}

/** An archive of `n` configs, one of them broken and one a second entry of the same name. */
function archiveOf(n: number, prefix: string): { zip: Buffer; expected: unknown[] } {
  const good = Array.from({ length: n }, (_, i) => ({
    name: `${prefix}${i}.conf`,
    data: Buffer.from(sampleConfig().text),
    deflate: i % 2 === 0,
  }));
  const zip = makeZip([
    ...good,
    { name: 'broken.conf', data: Buffer.from('[Interface]\nMTU = 1\n') },
    { name: `again/${prefix}0.conf`, data: Buffer.from(sampleConfig().text) },
  ]);
  const expected = [
    ...good.map((_, i) => ({ name: `${prefix}${i}`, ok: true, error: null })),
    { name: 'broken', ok: false, error: expect.stringMatching(/^line 1: \[Interface\] has no PrivateKey/) },
    {
      name: `${prefix}0`,
      ok: false,
      error: `A tunnel named "${prefix}0" already exists: remove it first or choose another name`,
    },
  ];
  return { zip, expected };
}

/** Counts the times the state file is replaced (each store write is a rename onto it). */
function countWrites(dir: string): { count(): Promise<number>; close(): void } {
  let n = 0;
  const w: FSWatcher = watch(dir, (event, file) => {
    if (event === 'rename' && file === 'state.json') n++;
  });
  return {
    async count() {
      await new Promise((r) => setTimeout(r, 300)); // the watcher's events arrive after the write
      return n;
    },
    close: () => w.close(),
  };
}

// The archives both transports are given: the largest allowed, one byte more, and far more (past the HTTP
// body cap, which the web host refuses without keeping the body).
const largest = zipOfSize(ARCHIVE_MAX_BYTES, 'largest').toString('base64');
const justOver = zipOfSize(ARCHIVE_MAX_BYTES + 1, 'over').toString('base64');
const farOver = zipOfSize(ARCHIVE_MAX_BYTES + (2 << 20), 'far').toString('base64');

it('the sizes: the largest archive fits the contract and the HTTP body cap, the others do not', () => {
  expect(largest.length).toBe(ARCHIVE_MAX_BASE64);
  expect(JSON.stringify({ arg: { zipBase64: largest } }).length).toBeLessThanOrEqual(HTTP_BODY_MAX);
  expect(justOver.length).toBeGreaterThan(ARCHIVE_MAX_BASE64);
  expect(JSON.stringify({ arg: { zipBase64: justOver } }).length).toBeLessThanOrEqual(HTTP_BODY_MAX);
  expect(farOver.length).toBeGreaterThan(HTTP_BODY_MAX);
});

const refused = { ok: false, error: ARCHIVE_TOO_LARGE };

describe('over HTTP: the real `ui`', () => {
  let dir: string;
  let ui: Awaited<ReturnType<typeof startUi>>;
  let call: (arg: unknown) => Promise<{ status: number; body: unknown }>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-limits-ui-'));
    ui = await startUi(['--data-dir', join(dir, 'data')]);
    const base = new URL(ui.url);
    const token = base.searchParams.get('token')!;
    call = async (arg) => {
      const res = await fetch(`${base.origin}/api/call/importArchive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ arg }),
      });
      return { status: res.status, body: await res.json() };
    };
  }, 60_000);
  afterAll(async () => {
    await ui?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports the largest archive allowed; refuses one byte more and far more in the same words', async () => {
    expect(await call({ zipBase64: largest })).toEqual({
      status: 200,
      body: { ok: true, value: [{ name: 'largest', ok: true, error: null }] },
    });
    expect(await call({ zipBase64: justOver })).toEqual({ status: 200, body: refused });
    expect(await call({ zipBase64: farOver })).toEqual({ status: 413, body: refused });
  });

  it('writes the store once for an archive of several configs', async () => {
    const { zip, expected } = archiveOf(6, 'h');
    const writes = countWrites(join(dir, 'data'));
    try {
      const r = await call({ zipBase64: zip.toString('base64') });
      expect(r).toEqual({ status: 200, body: { ok: true, value: expected } });
      expect(await writes.count()).toBe(1);
    } finally {
      writes.close();
    }
  });
});

describe('over IPC: the Electron host', () => {
  let dir: string;
  let fake: Fake;
  const invoke = (arg: unknown) => fake.invoke(channelOf('importArchive'), arg, ownWindow(fake));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-limits-host-'));
    vi.stubEnv('HOME', join(dir, 'home'));
    vi.stubEnv('XDG_CONFIG_HOME', '');
    vi.stubEnv('OVERLAY_CONNECT_HELPER', '');
    fake = await bootHost(dir);
  });
  afterEach(() => {
    fake?.app.emit('will-quit', { preventDefault() {} });
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the largest archive allowed; refuses one byte more and far more in the same words', async () => {
    expect(await invoke({ zipBase64: largest })).toEqual({
      ok: true,
      value: [{ name: 'largest', ok: true, error: null }],
    });
    expect(await invoke({ zipBase64: justOver })).toEqual(refused);
    expect(await invoke({ zipBase64: farOver })).toEqual(refused);
  });

  it('writes the store once for an archive of several configs', async () => {
    const { zip, expected } = archiveOf(6, 'e');
    const writes = countWrites(join(dir, 'userData'));
    try {
      expect(await invoke({ zipBase64: zip.toString('base64') })).toEqual({ ok: true, value: expected });
      expect(await writes.count()).toBe(1);
    } finally {
      writes.close();
    }
  });
});
