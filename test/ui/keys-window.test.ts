/**
 * The window's Keys tab in real Chromium, over the services composed as the desktop app composes them
 * (passphrase in the window; the app's safeStorage slot left out, since Electron cannot run here) and
 * served by the loopback host: a store made by the CLI is unlocked from the page, a passphrase slot is
 * added there, and the CLI opens the store with it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { openNodeStore } from '../../src/core/store/open-node-store.js';
import { adapterFor } from '../../src/core/tunnels/platform-adapters.js';
import { findTools } from '../../src/core/tunnels/tool-paths.js';
import { WgQuickDriver } from '../../src/core/tunnels/wg-quick-driver.js';
import { UiServer } from '../../src/web/ui-server.js';
import { cli } from '../support/cli.js';
import { sampleConfig } from '../support/store.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, electronDialogs } from '../support/ui-host.js';
import { gate } from '../support/gate.js';

// As in ui-web.test.ts: the README's screenshot is refreshed only with UPDATE_SCREENSHOTS=1.
const SHOTS = join(
  process.cwd(),
  process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
);
const noBrowser = gate('the Keys tab in Chromium', chromiumMissing());

/** Clicks and waits for the contract call that the click starts to be answered: an unlock runs scrypt
 * once per slot, which takes seconds on a busy machine, so the test waits for the work, not for a guess. */
async function clickAndWaitFor(page: Page, selector: string, call: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/call/${call}`), { timeout: 60_000 });
  await page.click(selector);
  await answered;
}

describe.skipIf(noBrowser)("the window's Keys tab, composed as the desktop app composes it", () => {
  let dir: string;
  let browser: Browser;
  const servers: UiServer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-keys-ui-'));
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(dataDir: string, warning?: string): Promise<string> {
    const tools = findTools();
    const app = composeApp({
      store: openNodeStore(dataDir),
      slots: [],
      notice: warning ? { warning } : undefined,
      passphraseInWindow: true,
      driver: new WgQuickDriver({
        runDir: join(dataDir, 'run'),
        tools,
        adapter: adapterFor('linux', tools),
        runner: async () => ({ code: 1, stdout: '', stderr: 'nothing is brought up in this test' }),
      }),
      exportConfig: async () => null,
    });
    const server = new UiServer({
      handlers: app.handlers,
      onEvent: app.onEvent,
      rendererDir: join(process.cwd(), 'dist', 'renderer'),
    });
    servers.push(server);
    return server.listen();
  }

  it('unlocks a store made by the CLI from the page, then adds a passphrase slot the CLI opens', async () => {
    const dataDir = join(dir, 'data');
    const { text, me } = sampleConfig();
    writeFileSync(join(dir, 'a.conf'), text, { mode: 0o600 });
    const env = { OVERLAY_CONNECT_PASSPHRASE: 'cli passphrase' };
    expect(
      cli(['tunnel', 'import', join(dir, 'a.conf'), '--name', 'a', '--data-dir', dataDir], env).code,
    ).toBe(0);

    const page = await browser.newPage();
    await electronDialogs(page); // as in Electron: the window must not rely on prompt() or confirm()
    await page.goto(await serve(dataDir));
    // Locked: the Keys tab is shown first, with the unlock form.
    await page.locator('#tab-keys').waitFor();
    expect(await page.locator('#keys-state').textContent()).toBe(
      'Locked: enter the passphrase of one of its slots.',
    );
    await page.fill('#unlock-passphrase', 'not it');
    await clickAndWaitFor(page, '#unlock-go', 'unlockStore');
    await expect.poll(() => page.locator('#error').textContent()).toMatch(/^Wrong passphrase/);
    expect(await page.locator('#unlock-passphrase').inputValue()).toBe(''); // not kept in the page
    await page.fill('#unlock-passphrase', 'cli passphrase');
    await clickAndWaitFor(page, '#unlock-go', 'unlockStore');
    await expect.poll(() => page.locator('#keys-state').textContent()).toBe('Unlocked.');
    expect(await page.locator('#unlock').isHidden()).toBe(true);

    await page.fill('#add-slot-passphrase', 'second one');
    await page.fill('#add-slot-repeat', 'second two');
    await page.click('#add-slot-go');
    await expect.poll(() => page.locator('#error').textContent()).toBe('The two passphrases differ');
    await page.fill('#add-slot-passphrase', 'second one');
    await page.fill('#add-slot-repeat', 'second one');
    await clickAndWaitFor(page, '#add-slot-go', 'addPassphraseSlot');
    await expect.poll(() => page.locator('#key-slots tbody tr').count()).toBe(2);
    // Removing a slot is asked in the page (confirm() throws here, as in Electron); "No" keeps it.
    const slot = (await page.locator('#key-slots tbody tr').first().getAttribute('data-slot'))!;
    await page.getByRole('button', { name: `Remove slot ${slot}` }).click();
    const question = page.locator(`#key-slots tr[data-slot="${slot}"]`).getByRole('alertdialog');
    const asked = await question.textContent();
    expect(asked).toContain(`Remove slot ${slot} (`);
    expect(asked).toContain('? The keys stay sealed; it just no longer opens them.');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('No, keep it');
    await page.keyboard.press('Enter');
    expect(await question.count()).toBe(0);
    expect(await page.locator('#key-slots tbody tr').count()).toBe(2);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Remove slot ${slot}`,
    );
    expect(await page.content()).not.toContain('second one');
    await page.setViewportSize({ width: 1100, height: 560 });
    await page.screenshot({ path: join(SHOTS, 'keys.png') });

    const exported = cli(['tunnel', 'export', 'a', '--data-dir', dataDir], {
      OVERLAY_CONNECT_PASSPHRASE: 'second one',
    });
    expect(exported.stdout).toContain(`PrivateKey = ${me.privateKey}`);
    await page.close();

    // Started again, the window opens the store with the second slot's passphrase as well.
    const again = await browser.newPage();
    await electronDialogs(again);
    await again.goto(await serve(dataDir));
    await again.locator('#tab-keys').waitFor();
    await again.fill('#unlock-passphrase', 'second one');
    // Two passphrase slots: the unlock derives a key per slot (scrypt, N = 2^17) before it answers.
    await clickAndWaitFor(again, '#unlock-go', 'unlockStore');
    await expect.poll(() => again.locator('#keys-state').textContent()).toBe('Unlocked.');
    await again.close();
  });

  it('says on every tab when the keyring in use is weak', async () => {
    const page = await browser.newPage();
    await electronDialogs(page);
    await page.goto(
      await serve(join(dir, 'weak'), 'Keys are protected only by a password built into Electron'),
    );
    await expect
      .poll(() => page.locator('#keyring-warning').textContent())
      .toBe('Keys are protected only by a password built into Electron');
    expect(await page.locator('#keyring-warning').isVisible()).toBe(true);
    await page.close();
  });
});
