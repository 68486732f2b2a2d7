/**
 * The window in real Chromium (Playwright, Debian's chromium) against `overlay-connect ui` backed by the
 * real services: import, a real tunnel in a namespace turning `up` in the page, a network with its nodes,
 * entrypoint and diagram, and the loopback host's refusals.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { cliAsync } from '../support/cli.js';
import { makeZip } from '../support/zip.js';
import { announce, fakeNode, type FakeNode } from '../support/grid.js';
import { pollWorkloads, postResult } from '../../src/devnet/node-api.js';
import { linkPair, Netns, netnsUnavailable } from '../support/netns.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  electronDialogs,
  startUi,
  step,
} from '../support/ui-host.js';
import { gate } from '../support/gate.js';

const noBrowser = gate('UI tests in Chromium', chromiumMissing());
const noNetns = !noBrowser && gate('UI connect test with a real tunnel', netnsUnavailable());
// The README's screenshots are refreshed on demand (UPDATE_SCREENSHOTS=1); ordinary runs write beside
// the other test output, so a test run never changes tracked files.
const SHOTS = join(
  process.cwd(),
  process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
);

describe.skipIf(noBrowser)('the window in Chromium over the loopback host', () => {
  let browser: Browser;
  let dir: string;
  let explorer: ExplorerServer;
  let explorerUrl: string;
  const tag = String(process.pid % 1e5);
  let peerNs: Netns | undefined;
  let lapNs: Netns | undefined;
  let ui: Awaited<ReturnType<typeof startUi>>;
  let page: Page;
  const peer = generateKeyPair();
  const laptop = generateKeyPair();
  let nodes: FakeNode[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-ui-'));
    mkdirSync(SHOTS, { recursive: true });
    explorer = new ExplorerServer({ dbPath: join(dir, 'explorer.db') });
    explorerUrl = await explorer.listen(0);
    nodes = [fakeNode('public', 1), fakeNode('public', 2), fakeNode('ipv6-only', 3), fakeNode('hidden', 4)];
    for (const n of nodes) await announce(explorerUrl, n);
    const data = ['--data-dir', join(dir, 'data'), '--explorer', explorerUrl];
    const ok = async (...a: string[]) => expect((await cliAsync([...a, ...data])).code).toBe(0);
    await ok('identity', 'create', '--name', 'uitest');
    await ok('network', 'create', 'lab', '--subnet', '10.9.0.0/16');
    for (const n of nodes) await ok('network', 'add-node', 'lab', n.node_id);
    await ok('network', 'add-access', 'lab', nodes[0]!.node_id, '--ipv4');
    await ok('network', 'register', 'lab');
    let netnsArgs: string[] = [];
    if (!noNetns) {
      peerNs = new Netns('uipeer');
      lapNs = new Netns('uilap');
      linkPair(peerNs, lapNs, ['198.51.100.1/24'], ['198.51.100.2/24'], `u${tag}`);
      const conf = join(dir, `uip${tag}.conf`);
      writeFileSync(
        conf,
        `[Interface]\nPrivateKey = ${peer.privateKey}\nListenPort = 51820\nAddress = 10.98.0.1/24\n[Peer]\nPublicKey = ${laptop.publicKey}\nAllowedIPs = 10.98.0.2/32\n`,
        { mode: 0o600 },
      );
      peerNs.must('wg-quick', 'up', conf);
      netnsArgs = ['--netns', lapNs.name];
    }
    ui = await startUi([...data, ...netnsArgs]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await electronDialogs(page); // as in Electron: the window must not rely on prompt() or confirm()
    await page.goto(ui.url);
  }, 120_000);

  it('takes the token out of the address bar once the page has it; a reload still works', async () => {
    await expect.poll(() => page.url()).toBe(new URL('/', ui.url).href);
    await page.reload();
    await page.locator('tr[data-tunnel="lab"]').waitFor();
    expect(await page.locator('#error').isHidden()).toBe(true);
  });

  afterAll(async () => {
    try {
      await step('closing Chromium', browser?.close());
      await step('stopping ui', ui?.stop());
      peerNs?.destroy();
      lapNs?.destroy();
      await step('closing the explorer', explorer?.close());
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports a bad config with line-numbered errors and a script warning, then a good one', async () => {
    await page.fill('#import-name', `ui${tag}`);
    await page.fill(
      '#import-text',
      '[Interface]\nPrivateKey = YOUR_KEY_HERE\nPostUp = touch /tmp/pwned\nMTU = 9\n',
    );
    await page.click('#import-check');
    await expect
      .poll(() => page.locator('#import-result li[data-line]').allTextContents())
      .toEqual([
        expect.stringMatching(/^Line 2: PrivateKey `YOUR_KEY_HERE` is a placeholder/),
        expect.stringMatching(/^Line 4: MTU must be/),
      ]);
    expect(await page.locator('#import-result .script-hook').textContent()).toMatch(
      /Line 3: PostUp runs “touch \/tmp\/pwned” as root/,
    );
    await page.click('#import-go');
    expect(await page.locator('#tunnels tbody tr[data-tunnel]').count()).toBe(1); // only the access so far

    const good = `[Interface]\nPrivateKey = ${laptop.privateKey}\nAddress = 10.98.0.2/24\n\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.98.0.0/24\nPersistentKeepalive = 1\n`;
    await page.fill('#import-text', good);
    await page.click('#import-go');
    await page.locator(`tr[data-tunnel="ui${tag}"]`).waitFor();
    expect(await page.locator(`tr[data-tunnel="ui${tag}"] [data-state]`).textContent()).toBe('down');
    expect(await page.content()).not.toContain(laptop.privateKey);

    // A .zip of configs, as the WireGuard clients export them: each imported or refused on its own.
    const other = generateKeyPair();
    const zip = makeZip([
      {
        name: `z${tag}.conf`,
        data: Buffer.from(`[Interface]\nPrivateKey = ${other.privateKey}\nAddress = 10.97.1.2/24\n`),
        deflate: true,
      },
      { name: 'broken.conf', data: Buffer.from('[Interface]\nMTU = 1\n') },
    ]);
    await page.setInputFiles('#import-file', {
      name: 'export.zip',
      mimeType: 'application/zip',
      buffer: zip,
    });
    await expect
      .poll(() => page.locator('#import-result li').allTextContents())
      .toEqual([
        `Imported “z${tag}”`,
        expect.stringMatching(/^broken: line 1: \[Interface\] has no PrivateKey/),
      ]);
    await page.locator(`tr[data-tunnel="z${tag}"]`).waitFor();
  });

  it.skipIf(noNetns)(
    'connects a real tunnel inside a namespace from the keyboard alone and shows it up, then disconnects',
    async () => {
      const row = page.locator(`tr[data-tunnel="ui${tag}"]`);
      // Keyboard only: Tab to the Connect button (its focus visible), Enter.
      const label = `Connect ui${tag}`;
      await page.locator('body').focus();
      let focused = '';
      for (let i = 0; i < 80 && focused !== label; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      }
      expect(focused).toBe(label);
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe(
        'none',
      );
      await page.keyboard.press('Enter');
      await expect.poll(() => row.locator('[data-state]').textContent(), { timeout: 20_000 }).toBe('up');
      // Remove is not offered while the tunnel is up.
      expect(await row.getByRole('button', { name: `Remove ui${tag}` }).isDisabled()).toBe(true);
      // `up` no longer waits for a handshake (an idle tunnel is healthy); the keepalive brings one soon.
      await expect.poll(() => row.locator('td').nth(2).textContent(), { timeout: 20_000 }).toMatch(/s ago/);
      // Its detail: the peer's own handshake and transfer, read live (`wg show` through root here).
      await row.getByRole('button', { name: `Details of ui${tag}` }).click();
      const peerRow = page.locator(`#detail-peers tr[data-peer="${peer.publicKey}"]`);
      await expect
        .poll(() => peerRow.locator('.handshake').textContent(), { timeout: 20_000 })
        .toMatch(/s ago/);
      await expect
        .poll(() => peerRow.locator('.transfer').textContent())
        .toMatch(/^\d+(\.\d)? (B|KiB) \/ \d/);
      expect(await peerRow.locator('td').nth(1).textContent()).toBe('198.51.100.1:51820');
      expect(await page.locator('#editor-save').isDisabled()).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'tunnels.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        'rgb(13, 17, 23)',
      );
      await page.screenshot({ path: join(SHOTS, 'tunnels-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
      await row.getByRole('button', { name: `Disconnect ui${tag}` }).click();
      await expect.poll(() => row.locator('[data-state]').textContent(), { timeout: 20_000 }).toBe('down');
      expect(lapNs!.run('ip', ['link', 'show', `ui${tag}`]).status).not.toBe(0);
      // The session's log, newest first.
      await expect
        .poll(() => page.locator('#session-log li').allTextContents())
        .toEqual([
          expect.stringMatching(new RegExp(`ui${tag} disconnected$`)),
          expect.stringMatching(new RegExp(`ui${tag} connected$`)),
        ]);
    },
  );

  it("edits a tunnel's config: an error by its line, then fixed and saved; no secret reaches the page", async () => {
    const row = page.locator(`tr[data-tunnel="ui${tag}"]`);
    const details = row.getByRole('button', { name: `Details of ui${tag}` });
    if ((await details.getAttribute('aria-expanded')) !== 'true') await details.click();
    await expect.poll(() => page.locator('#editor-text').inputValue()).toContain('PersistentKeepalive = 1');
    const shown = await page.locator('#editor-text').inputValue();
    expect(shown).not.toContain(laptop.privateKey);
    expect(shown).not.toMatch(/^PrivateKey/m);
    const broken = shown.replace('PersistentKeepalive = 1', 'PersistentKeepalive = 25\nMTU = 9');
    await page.fill('#editor-text', broken);
    await page.click('#editor-save');
    const line = broken.split('\n').indexOf('MTU = 9') + 1;
    await expect
      .poll(() => page.locator('#editor-result li[data-line]').allTextContents())
      .toEqual([expect.stringMatching(new RegExp(`^Line ${line}: `))]);
    await page.fill('#editor-text', broken.replace('\nMTU = 9', ''));
    await page.click('#editor-save');
    await expect
      .poll(() => page.locator('#editor-result li').first().textContent())
      .toBe(`Saved ui${tag}: it applies at the next connect`);
    expect(await page.locator('#editor-text').inputValue()).toContain('PersistentKeepalive = 25');
    expect(await page.content()).not.toContain(laptop.privateKey);
    // The sealed key was kept: the exported file has it, with the edit.
    const exported = await cliAsync(['tunnel', 'export', `ui${tag}`, '--data-dir', join(dir, 'data')]);
    expect(exported.stdout).toContain(`PrivateKey = ${laptop.privateKey}`);
    expect(exported.stdout).toContain('PersistentKeepalive = 25');
    await page.screenshot({ path: join(SHOTS, 'edit.png') });
    await page.click('#editor-close');
    expect(await page.locator('#tunnel-detail').isHidden()).toBe(true);
  });

  it("shows the key store's slots; `ui` takes no passphrase in the page", async () => {
    await page.getByRole('button', { name: 'Keys' }).click();
    await expect
      .poll(() => page.locator('#key-slots tbody tr td').nth(1).textContent())
      .toBe('passphrase (scrypt N=2^17, r=8, p=1)');
    expect(await page.locator('#keys-state').textContent()).toBe('Unlocked.');
    expect(await page.locator('#unlock').isHidden()).toBe(true);
    expect(await page.locator('#add-slot').isHidden()).toBe(true);
    expect(await page.locator('#keys-cli').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Tunnels' }).click();
  });

  it('renames a tunnel in the page, then removes it only after the question is answered yes', async () => {
    // The page's prompt() and confirm() throw here, as in Electron: the questions are asked in the page.
    expect(await page.evaluate(() => window.prompt.toString())).toContain('not supported');
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    // Escape leaves the name as it was and gives the focus back to the Rename button.
    await page.getByRole('button', { name: `Rename z${tag}` }).click();
    const field = page.getByRole('textbox', { name: `New name for z${tag}` });
    expect(await field.inputValue()).toBe(`z${tag}`);
    expect(await focusedLabel()).toBe(`New name for z${tag}`);
    await page.keyboard.type('nope');
    await page.keyboard.press('Escape');
    expect(await field.count()).toBe(0);
    expect(await focusedLabel()).toBe(`Rename z${tag}`);
    // Enter saves: the field has the focus and its text selected, so typing replaces the name.
    await page.keyboard.press('Enter');
    await field.waitFor();
    await page.keyboard.type(`zz${tag}`);
    await page.keyboard.press('Enter');
    await page.locator(`tr[data-tunnel="zz${tag}"]`).waitFor();
    expect(await page.locator(`tr[data-tunnel="z${tag}"]`).count()).toBe(0);
    await expect.poll(focusedLabel).toBe(`Rename zz${tag}`);

    const row = page.locator(`tr[data-tunnel="zz${tag}"]`);
    const question = row.getByRole('alertdialog');
    await row.getByRole('button', { name: `Remove zz${tag}` }).click();
    expect(await question.textContent()).toContain(
      `Remove "zz${tag}" and its private key from this computer? This cannot be undone.`,
    );
    await question.getByRole('button', { name: 'No, keep it' }).click();
    await new Promise((r) => setTimeout(r, 300));
    expect(await row.count()).toBe(1);
    expect(await question.count()).toBe(0);
    expect(await focusedLabel()).toBe(`Remove zz${tag}`);
    await page.keyboard.press('Enter'); // the Remove button again, from the keyboard
    await question.waitFor();
    await page.keyboard.press('Escape');
    expect(await question.count()).toBe(0);
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: `Remove zz${tag}` }).click();
    await question.getByRole('button', { name: 'Yes, remove it' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await page.locator('#import-result').textContent()).toBe(`Removed zz${tag}`);
  });

  it('opens a network: nodes, entrypoint, provisioning and a diagram with the relay and the laptop', async () => {
    await page.click('nav [data-tab="networks"]');
    await page.getByRole('button', { name: /^lab · 10\.9\.0\.0\/16 · 4 nodes/ }).click();
    await page.locator('#network-nodes tbody tr').first().waitFor();
    expect(await page.locator('#network-nodes tbody tr').count()).toBe(4);
    expect(await page.locator('#network-nodes tbody').textContent()).toMatch(
      /public \(relay\).*ipv6-only.*hidden/s,
    );
    expect(await page.locator('#network-accesses tr[data-access="lab"]').textContent()).toMatch(
      /10\.9\.5\.0\/24 \(100\.64\.9\.5\).*over IPv4/,
    );
    await expect.poll(() => page.locator('#network-nodes .result').first().textContent()).toBe('pending');
    expect(await page.locator('svg.topology .node').count()).toBe(4);
    expect(await page.locator('svg.topology .edge.relay').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.topology .laptop-node').getAttribute('data-entrypoint')).toBeTruthy();
    await page.screenshot({ path: join(SHOTS, 'network.png'), fullPage: true });
  });

  it('refuses requests without the token, from another Origin, or naming another Host', async () => {
    const base = new URL(ui.url);
    const token = base.searchParams.get('token')!;
    const callUrl = `${base.origin}/api/call/listTunnels`;
    const json = { 'content-type': 'application/json' };
    expect((await fetch(callUrl, { method: 'POST', headers: json, body: '{}' })).status).toBe(401);
    expect(
      (await fetch(`${callUrl}?token=${token}`, { method: 'POST', headers: json, body: '{}' })).status,
    ).toBe(401); // a call takes the token only in its header
    expect((await fetch(`${base.origin}/api/events`)).status).toBe(401);
    // The page's files are public and set no cookie: a cookie would reach every server on 127.0.0.1.
    const page0 = await fetch(`${base.origin}/`);
    expect(page0.status).toBe(200);
    expect(page0.headers.get('set-cookie')).toBeNull();
    expect(
      (
        await fetch(callUrl, {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${token}x` },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(callUrl, {
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${token}`, origin: 'http://evil.example' },
          body: '{}',
        })
      ).status,
    ).toBe(403);
    // A DNS-rebinding page reaches us under its own host name: fetch cannot forge Host, node:http can.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(base.port),
          path: '/api/call/listTunnels',
          method: 'POST',
          headers: { ...json, authorization: `Bearer ${token}`, host: `evil.example:${base.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(rebound).toBe(403);
    const good = await (
      await fetch(callUrl, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: '{}',
      })
    ).json();
    expect(good.ok).toBe(true);
    const bad = await (
      await fetch(`${base.origin}/api/call/connect`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ arg: { name: 'x', extra: 1 } }),
      })
    ).json();
    expect(bad).toEqual({ ok: false, error: 'Invalid argument for connect' });
    // Scripts run as root: the window (or anyone holding the token) cannot allow them.
    const scripted = await (
      await fetch(`${base.origin}/api/call/importConfig`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ arg: { name: 'x', text: '[Interface]', allowScripts: true } }),
      })
    ).json();
    expect(scripted).toEqual({ ok: false, error: 'Invalid argument for importConfig' });
  });

  it('shows the new-network flow', async () => {
    await page.click('nav [data-tab="create"]');
    await page.click('#find');
    await page.locator('#found tbody tr').first().waitFor();
    expect(await page.locator('#found tbody tr').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'new-network.png') });
    // The whole flow: name, /16, nodes, entrypoint, register, then the nodes' results as they come.
    await page.fill('#create-name', 'made');
    await page.fill('#create-subnet', '10.12.0.0/16');
    await page.getByRole('radio', { name: `Access through ${nodes[1]!.node_id}` }).check();
    await page.click('#create-go');
    await expect
      .poll(() => page.locator('#create-progress').textContent(), { timeout: 20_000 })
      .toMatch(/Registered: reservation \d+/);
    for (const n of nodes) {
      const mine = (await pollWorkloads(explorerUrl, n.identity)).filter((w) => w.content.name === 'made');
      for (const w of mine)
        await postResult(explorerUrl, n.identity, w.workload_id, { state: 1, message: '' });
    }
    await expect
      .poll(() => page.locator('#create-progress li').last().textContent(), { timeout: 20_000 })
      .toBe('All 4 nodes report ok');
    expect(await page.locator('#create-progress').textContent()).toMatch(
      /Access through .* over IPv4: tunnel “made”/,
    );
    await page.locator('tr[data-tunnel="made"]').waitFor({ state: 'attached' });
  });

  it('`ui` ends by itself on SIGTERM, also after event streams whose clients left during their uid check', async () => {
    const second = await startUi(['--data-dir', join(dir, 'data2')]);
    try {
      const url = new URL(second.url);
      const token = url.searchParams.get('token')!;
      // Each client asks for the event stream and is gone at once: the host is still looking up whose
      // socket it was. Before the fix, such a stream's 15 s ping outlived it and kept the process alive.
      for (let i = 0; i < 40; i++) {
        const s = createConnection(Number(url.port), '127.0.0.1');
        s.on('error', () => undefined);
        s.write(
          `GET /api/events?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nConnection: keep-alive\r\n\r\n`,
          () => s.destroy(),
        );
      }
      const page = await browser.newPage();
      await electronDialogs(page);
      await page.goto(second.url);
      await page.locator('#tab-tunnels').waitFor();
      await page.close();
      await new Promise((r) => setTimeout(r, 500));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        second.child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      second.child.kill('SIGTERM');
      expect(await step('ui to exit after SIGTERM', exited, 10_000)).toEqual({ code: 0, signal: null });
    } finally {
      await second.stop();
    }
  });
});
