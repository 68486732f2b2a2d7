/**
 * Issue 17: every tab of the window passes axe-core's WCAG 2 A and AA rules (wcag2a, wcag2aa, wcag21a,
 * wcag21aa) in the light and in the dark theme, in real Chromium over the loopback `ui` host.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/core/wgconf/keys.js';
import { ExplorerServer } from '../../src/devnet/explorer/explorer-server.js';
import { cliAsync } from '../support/cli.js';
import { announce, fakeNode } from '../support/grid.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  chromiumMissing,
  electronDialogs,
  startUi,
  step,
} from '../support/ui-host.js';
import { gate } from '../support/gate.js';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const noBrowser = gate('UI accessibility tests in Chromium', chromiumMissing());

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is now; the violations, one line per element. */
async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async (values) => {
    const w = window as unknown as {
      axe: { run(ctx: Document, o: object): Promise<{ violations: Violation[] }> };
    };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values } });
    return r.violations;
  }, TAGS);
  return violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.id} (${v.impact}) ${JSON.stringify(n.target)}: ${v.help}; ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
    ),
  );
}

describe.skipIf(noBrowser)("the window's tabs pass axe-core's WCAG 2 A/AA rules", () => {
  let browser: Browser;
  let dir: string;
  let explorer: ExplorerServer;
  let ui: Awaited<ReturnType<typeof startUi>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oc-a11y-'));
    explorer = new ExplorerServer({ dbPath: join(dir, 'explorer.db') });
    const explorerUrl = await explorer.listen(0);
    const nodes = [fakeNode('public', 1), fakeNode('ipv6-only', 2), fakeNode('hidden', 3)];
    for (const n of nodes) await announce(explorerUrl, n);
    const data = ['--data-dir', join(dir, 'data'), '--explorer', explorerUrl];
    const ok = async (...a: string[]) => expect((await cliAsync([...a, ...data])).code).toBe(0);
    await ok('identity', 'create', '--name', 'a11y');
    await ok('network', 'create', 'lab', '--subnet', '10.9.0.0/16');
    for (const n of nodes) await ok('network', 'add-node', 'lab', n.node_id);
    await ok('network', 'add-access', 'lab', nodes[0]!.node_id, '--ipv4');
    await ok('network', 'register', 'lab');
    const peer = generateKeyPair();
    const conf = join(dir, 'office.conf');
    writeFileSync(
      conf,
      `[Interface]\nPrivateKey = ${generateKeyPair().privateKey}\nAddress = 10.98.0.2/24\n\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = 198.51.100.1:51820\nAllowedIPs = 10.98.0.0/24\n`,
      { mode: 0o600 },
    );
    await ok('tunnel', 'import', conf);
    ui = await startUi(data);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    try {
      await step('closing Chromium', browser?.close());
      await step('stopping ui', ui?.stop());
      await step('closing the explorer', explorer?.close());
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    describe(`in the ${colorScheme} theme`, () => {
      let page: Page;
      const tab = (name: string) => page.click(`nav [data-tab="${name}"]`);

      beforeAll(async () => {
        // The page's CSP (script-src 'self') refuses the injected axe script: this context bypasses it.
        const context = await browser.newContext({
          viewport: { width: 1100, height: 760 },
          colorScheme,
          bypassCSP: true,
        });
        page = await context.newPage();
        await electronDialogs(page); // as in Electron: prompt() and confirm() throw
        await page.goto(ui.url);
        await page.locator('tr[data-tunnel="office"]').waitFor();
        // The theme in force is the one asked for (the dark one is GitHub-dark's #0d1117 page).
        expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
          colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)',
        );
      });
      afterAll(() => page?.context().close());

      it('tunnels', async () => {
        await tab('tunnels');
        await page.locator('tr[data-tunnel="lab"]').waitFor();
        expect(await axe(page)).toEqual([]);
      });

      it("the tunnels' in-page questions: rename and remove", async () => {
        await tab('tunnels');
        await page.getByRole('button', { name: 'Rename office' }).click();
        await page.getByRole('textbox', { name: 'New name for office' }).waitFor();
        expect(await axe(page)).toEqual([]);
        await page.keyboard.press('Escape');
        const row = page.locator('tr[data-tunnel="office"]');
        await row.getByRole('button', { name: 'Remove office' }).click();
        await row.getByRole('alertdialog').waitFor();
        expect(await axe(page)).toEqual([]);
        await row.getByRole('button', { name: 'No, keep it' }).click();
        await expect.poll(() => row.getByRole('alertdialog').count()).toBe(0);
      });

      it("a tunnel's details and editor", async () => {
        await tab('tunnels');
        await page.getByRole('button', { name: 'Details of office' }).click();
        await expect.poll(() => page.locator('#editor-text').inputValue()).toContain('AllowedIPs');
        await page.click('#editor-check');
        await page.locator('#editor-result li').first().waitFor();
        expect(await axe(page)).toEqual([]);
        await page.click('#editor-close');
      });

      it('import, with its errors and a script warning', async () => {
        await tab('tunnels');
        await page.fill('#import-name', 'bad');
        await page.fill('#import-text', '[Interface]\nPrivateKey = YOUR_KEY_HERE\nPostUp = true\nMTU = 9\n');
        await page.click('#import-check');
        await page.locator('#import-result li[data-line]').first().waitFor();
        expect(await axe(page)).toEqual([]);
      });

      it('networks, with a network open', async () => {
        await tab('networks');
        await page.getByRole('button', { name: /^lab · / }).click();
        await page.locator('#network-nodes tbody tr').first().waitFor();
        expect(await axe(page)).toEqual([]);
      });

      it('new network, with nodes found', async () => {
        await tab('create');
        await page.click('#find');
        await page.locator('#found tbody tr').first().waitFor();
        expect(await axe(page)).toEqual([]);
      });

      it('keys', async () => {
        await tab('keys');
        await expect.poll(() => page.locator('#keys-state').textContent()).toBe('Unlocked.');
        await page.locator('#key-slots tbody tr').first().waitFor();
        expect(await axe(page)).toEqual([]);
      });
    });
  }
});
