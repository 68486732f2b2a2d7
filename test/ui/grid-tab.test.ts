/**
 * The window's ThreeFold Grid tab in real Chromium over the real `ui` host, against a loopback Grid v3
 * made as the journeys' tests make one (test/grid3/networks/harness.ts: the real chain stand-in, relay and
 * gridproxy stand-in, a zos responder per node). The login is the CLI's (`grid login`); the window then
 * shows it, creates a network from its form, removes and adds this device's access, deletes the network,
 * and passes axe-core in both themes. Neither the device key nor the mnemonic ever reaches the page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid3Account } from '../../src/core/grid3/account.js';
import { cliAsync } from '../support/cli.js';
import { gate } from '../support/gate.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  electronDialogs,
  startUi,
  step,
} from '../support/ui-host.js';
import { startGrid, type Grid } from '../grid3/networks/harness.js';

const noBrowser = gate('the Grid tab in Chromium', chromiumMissing());
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// 11: public IPv4 + IPv6 (the access node); 12: IPv6 only; 13: hidden.
const SPECS = [
  { id: 11, twinId: 1011, ipv4: '185.69.166.11/24', ipv6: '2a02:1802:5e:0:1::11/64' },
  { id: 12, twinId: 1012, ipv6: '2a02:1802:5e:0:1::12/64', zos: ['2a02:1802:5e:0:1::12'] },
  { id: 13, twinId: 1013, zos: ['192.168.1.13'] },
];
/** The deploy wait, for the ui host's journeys as for the CLI's tests. */
const GRID_ENV = { OVERLAY_CONNECT_GRID_DEPLOY_TIMEOUT_MS: '10000' };

/** Runs axe-core on the page as it is now; the violations, one line per element. */
async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (values) => {
    const w = window as unknown as {
      axe: {
        run(
          ctx: Document,
          o: object,
        ): Promise<{
          violations: { id: string; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
        }>;
      };
    };
    return (await w.axe.run(document, { runOnly: { type: 'tag', values } })).violations;
  }, TAGS);
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} ${JSON.stringify(n.target)}: ${v.help}; ${n.failureSummary ?? ''}`),
  );
}

describe.skipIf(noBrowser)('the ThreeFold Grid tab over the loopback host', () => {
  let grid: Grid;
  let dir: string;
  let mnemonic: string;
  let account: Grid3Account;
  let twinId: number;
  let ui: Awaited<ReturnType<typeof startUi>>;
  let browser: Browser;
  let page: Page;
  /** Every body the page was answered with (calls and files), and the event stream as it came. */
  const bodies: Promise<{ url: string; text: string }>[] = [];
  let events = '';
  const stopEvents = new AbortController();
  const deviceKeys: string[] = [];
  const data = () => join(dir, 'data');
  const card = () => page.locator('[data-grid-network="lab3"]');

  /** The device key of the access tunnel, as `tunnel export` gives it (the CLI, not the page). */
  const rememberDeviceKey = async (tunnel: string) => {
    const r = await cliAsync(['tunnel', 'export', tunnel, '--data-dir', data()]);
    expect(r.code, r.stderr).toBe(0);
    const key = /^PrivateKey = (\S+)$/m.exec(r.stdout)?.[1];
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    deviceKeys.push(key!);
  };

  beforeAll(async () => {
    grid = await startGrid(SPECS);
    dir = mkdtempSync(join(tmpdir(), 'oc-grid-ui-'));
    mnemonic = mnemonicGenerate();
    account = await Grid3Account.fromMnemonic(mnemonic);
    twinId = grid.chain.state.createVerifiedTwin({
      account: account.address,
      relay: '127.0.0.1',
      pk: account.rmbPublicKeyHex,
    });
    const file = join(dir, 'user.mnemonic');
    writeFileSync(file, mnemonic + '\n', { mode: 0o600 });
    const login = await cliAsync([
      'grid',
      'login',
      '--network',
      'devnet',
      '--gridproxy',
      grid.gridproxy.url,
      '--relay',
      grid.relay.url,
      '--chain',
      grid.chain.url,
      '--mnemonic-file',
      file,
      '--data-dir',
      data(),
    ]);
    expect(login.code, login.stderr).toBe(0);
    // startUi gives the host this process's environment.
    Object.assign(process.env, GRID_ENV);
    ui = await startUi(['--data-dir', data()]);
    const token = new URL(ui.url).searchParams.get('token')!;
    // The event stream (progress lines among its events), read beside the page: a body Playwright
    // cannot hand over while it is open.
    void fetch(new URL(`/api/events?token=${token}`, ui.url), { signal: stopEvents.signal })
      .then(async (res) => {
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        for (let r = await reader.read(); !r.done; r = await reader.read())
          events += decoder.decode(r.value, { stream: true });
      })
      .catch(() => undefined);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // The page's CSP (script-src 'self') refuses the injected axe script: this context bypasses it.
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('response', (r) => {
      if (!r.url().includes('/api/events'))
        bodies.push(
          r.text().then(
            (text) => ({ url: r.url(), text }),
            () => ({ url: r.url(), text: '' }),
          ),
        );
    });
    await electronDialogs(page); // as in Electron: the window must not rely on prompt() or confirm()
    await page.goto(ui.url);
  }, 120_000);

  afterAll(async () => {
    try {
      stopEvents.abort();
      await step('closing Chromium', browser?.close());
      await step('stopping ui', ui?.stop());
      await step('closing the grid', grid?.close());
    } finally {
      for (const k of Object.keys(GRID_ENV)) delete process.env[k];
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the CLI’s login, with nothing left to fix for a funded, verified twin', async () => {
    await page.click('nav [data-tab="grid"]');
    await expect
      .poll(() => page.locator('#grid-account').textContent())
      .toBe(`Logged in on devnet as ${account.address}, twin ${twinId}.`);
    expect(await page.locator('#grid-gates li').count()).toBe(0);
    await expect
      .poll(() => page.locator('#grid-networks').textContent())
      .toContain('No networks on the grid yet');
    expect(await page.locator('#grid-create').isVisible()).toBe(true);
  });

  it('creates a network from the form: nodes searched and picked, the access node chosen', async () => {
    await page.fill('#grid-create-name', 'lab3');
    await page.fill('#grid-create-range', '10.30.0.0/16');
    await page.check('#grid-find-ipv4');
    await page.click('#grid-find');
    // Only node 11 has public IPv4.
    await expect.poll(() => page.locator('#grid-found tbody tr').count()).toBe(1);
    await page.uncheck('#grid-find-ipv4');
    await page.click('#grid-find');
    await expect.poll(() => page.locator('#grid-found tbody tr').count()).toBe(3);
    // The access node must have public IPv4: only node 11 offers to be one.
    expect(await page.locator('#grid-found .entry').count()).toBe(1);
    for (const id of [11, 12, 13]) await page.getByRole('checkbox', { name: `Add node ${id}` }).check();
    await page.getByRole('radio', { name: 'Access through node 11' }).check();
    await page.click('#grid-create-go');

    await card().waitFor({ timeout: 60_000 });
    const nodes = card().locator('tr[data-node]');
    expect(await nodes.count()).toBe(3);
    expect(await card().locator('tr[data-node="11"] td').nth(3).textContent()).toMatch(
      /^185\.69\.166\.11:\d+$/,
    );
    expect(await card().locator('tr[data-node="13"] td').nth(3).textContent()).toBe(
      'hidden (through an access node)',
    );
    const access = card().locator('tr[data-access-subnet]');
    expect(await access.count()).toBe(1);
    expect(await access.locator('td').nth(2).textContent()).toBe('this device');
    expect(await access.getByRole('button', { name: 'Connect lab3' }).textContent()).toBe('Connect lab3');
    // The progress log names the nodes and the contracts of the long steps.
    const log = await page.locator('#grid-progress').textContent();
    expect(log).toMatch(/creating 3 node contracts in one batch/);
    for (const id of [11, 12, 13]) expect(log).toMatch(new RegExp(`of contract \\d+ to node ${id}`));
    expect(log).toContain("lab3 created; this device's access is the tunnel lab3");
    // The access is a tunnel of the Tunnels tab too.
    await page.click('nav [data-tab="tunnels"]');
    await page.locator('tr[data-tunnel="lab3"]').waitFor();
    await page.click('nav [data-tab="grid"]');
    await card().waitFor();
    await rememberDeviceKey('lab3');
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`passes axe-core's WCAG 2 A/AA rules in the ${colorScheme} theme, with a network and found nodes`, async () => {
      await page.emulateMedia({ colorScheme });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)',
      );
      await card().waitFor();
      await page.click('#grid-find');
      await page.locator('#grid-found tbody tr').first().waitFor();
      expect(await axe(page)).toEqual([]);
      // The in-page question too.
      await card().getByRole('button', { name: 'Delete network' }).click();
      await card().getByRole('alertdialog').waitFor();
      expect(await axe(page)).toEqual([]);
      await card().getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => card().getByRole('alertdialog').count()).toBe(0);
    });
  }

  it('"Remove this device" asks in the page, then removes the access and its tunnel', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await card().getByRole('button', { name: 'Remove this device' }).click();
    const ask = card().getByRole('alertdialog');
    await ask.waitFor();
    expect(await ask.textContent()).toContain("Remove this device's access to lab3?");
    await ask.getByRole('button', { name: 'Remove this device' }).click();
    await expect
      .poll(() => page.locator('#grid-progress').textContent(), { timeout: 60_000 })
      .toContain('Removing this device from lab3: done');
    await card().getByRole('button', { name: 'Connect this device' }).waitFor();
    expect(await card().locator('tr[data-access-subnet]').count()).toBe(0);
    expect(await page.locator('#grid-progress').textContent()).toMatch(
      /updating contracts? [\d, ]+ in one batch/,
    );
    const tunnels = await cliAsync(['tunnel', 'list', '--json', '--data-dir', data()]);
    expect(JSON.parse(tunnels.stdout)).toEqual([]);
  });

  it('"Connect this device" adds a new access back, as a tunnel', async () => {
    await card().getByRole('button', { name: 'Connect this device' }).click();
    await expect
      .poll(() => page.locator('#grid-progress').textContent(), { timeout: 60_000 })
      .toContain('Connecting this device to lab3: done');
    const access = card().locator('tr[data-access-subnet]');
    await access.first().waitFor();
    expect(await access.count()).toBe(1);
    expect(await access.locator('td').nth(2).textContent()).toBe('this device');
    await access.getByRole('button', { name: 'Connect lab3' }).waitFor();
    await rememberDeviceKey('lab3');
    expect(deviceKeys[1]).not.toBe(deviceKeys[0]);
  });

  it('"Delete network" asks in the page, then cancels its contracts and removes its tunnel', async () => {
    const contracts = (await card().locator('tr[data-node] td:nth-child(3)').allTextContents()).map(Number);
    expect(contracts).toHaveLength(3);
    await card().getByRole('button', { name: 'Delete network' }).click();
    const ask = card().getByRole('alertdialog');
    await ask.waitFor();
    expect(await ask.textContent()).toContain('Delete lab3? Its 3 contract(s) are cancelled on the chain.');
    await ask.getByRole('button', { name: 'Delete network' }).click();
    await expect
      .poll(() => page.locator('#grid-networks').textContent(), { timeout: 60_000 })
      .toContain('No networks on the grid yet');
    expect(await page.locator('#grid-progress').textContent()).toMatch(
      /cancelling contracts [\d, ]+ in one batch/,
    );
    for (const id of contracts)
      expect((await grid.readChain.contract(id))?.state ?? 'Deleted').toBe('Deleted');
    const tunnels = await cliAsync(['tunnel', 'list', '--json', '--data-dir', data()]);
    expect(JSON.parse(tunnels.stdout)).toEqual([]);
  });

  it('after `grid logout` the tab says how to log in, and offers no form', async () => {
    const r = await cliAsync(['grid', 'logout', '--data-dir', data()]);
    expect(r.code, r.stderr).toBe(0);
    await page.click('nav [data-tab="tunnels"]');
    await page.click('nav [data-tab="grid"]');
    await expect
      .poll(() => page.locator('#grid-account').textContent())
      .toMatch(
        /^Not logged in to the grid: run `overlay-connect grid login --network main --mnemonic-file FILE`/,
      );
    expect(await page.locator('#grid-create').isHidden()).toBe(true);
    expect(await page.locator('#grid-networks').textContent()).toBe('');
  });

  it('never sent the page a device key or any part of the mnemonic', async () => {
    const answered = await Promise.all(bodies);
    const calls = answered.filter((b) => b.url.includes('/api/call/'));
    expect(calls.length).toBeGreaterThan(10);
    // No call answers with a key field at all (the renderer's own script may name one: it is not data).
    for (const c of calls) expect(c.text, c.url).not.toMatch(/PrivateKey|privateKey/);
    const seen = [await page.content(), ...answered.map((b) => b.text), events];
    expect(events).toContain('grid-progress');
    expect(deviceKeys).toHaveLength(2);
    const words = mnemonic.split(' ');
    for (const text of seen) {
      for (const k of deviceKeys) expect(text).not.toContain(k);
      for (let i = 0; i + 3 <= words.length; i++) expect(text).not.toContain(words.slice(i, i + 3).join(' '));
    }
  });
});
