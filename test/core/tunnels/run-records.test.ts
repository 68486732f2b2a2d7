/** Run records: created exclusively per interface, validated before use, dropped when their tunnel left. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../../src/core/tunnels/platform-adapters.js';
import type { CommandLine } from '../../../src/core/tunnels/command-line.js';
import { findTools } from '../../../src/core/tunnels/tool-paths.js';
import { TunnelService } from '../../../src/core/tunnels/tunnel-service.js';
import { WgQuickDriver } from '../../../src/core/tunnels/wg-quick-driver.js';
import { openTestStore, sampleConfig } from '../../support/store.js';
import { useTempDir } from '../../support/tmp.js';

const tools = findTools();

describe('run records', () => {
  const tmp = useTempDir();

  /** wg-quick is the boundary here: what reaches it is recorded, and it "succeeds" without running. */
  function driver(runDir: string) {
    const ran: CommandLine[] = [];
    const d = new WgQuickDriver({
      runDir,
      tools,
      adapter: adapterFor('linux', tools),
      kernelWireguard: () => true,
      runner: async (cmd) => {
        ran.push(cmd);
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    return { d, ran };
  }
  const record = (iface: string, phase: string, at: number) =>
    JSON.stringify({ interface: iface, netns: null, userspace: false, phase, at });

  it('one process owns an interface being brought up; the other is told and runs nothing', async () => {
    const runDir = join(tmp.path, 'run1');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'octest1.json'), record('octest1', 'starting', Date.now()), { mode: 0o600 });
    const { d, ran } = driver(runDir);
    const config = sampleConfig().text;
    await expect(d.up({ iface: 'octest1', config, netns: null })).rejects.toThrow(
      'octest1 is being brought up by another process',
    );
    expect(ran).toEqual([]);
    // A record left by a start that died long ago is taken over.
    writeFileSync(join(runDir, 'octest1.json'), record('octest1', 'starting', Date.now() - 600_000));
    await d.up({ iface: 'octest1', config, netns: null });
    expect(ran).toHaveLength(1);
  });

  it('drops the files of a tunnel no longer in the store at the first look; a foreign file is not used', async () => {
    const dir = join(tmp.path, 'orphans');
    const { tunnels } = openTestStore(join(dir, 'data'));
    await tunnels.importText(sampleConfig().text, { name: 'kept' });
    const runDir = join(dir, 'run');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'gone1.json'), record('gone1', 'up', Date.now() - 60_000));
    writeFileSync(join(runDir, 'gone1.conf'), '[Interface]\n');
    writeFileSync(join(runDir, 'kept.json'), record('kept', 'up', Date.now() - 60_000));
    writeFileSync(join(runDir, 'evil.json'), record('../../etc', 'up', 0));
    const service = new TunnelService({ tunnels, driver: driver(runDir).d });
    await service.refresh();
    expect(readdirSync(runDir).sort()).toEqual(['evil.json', 'kept.json']);
    // The known tunnel's record goes only at the second miss in a row, as before.
    await service.refresh();
    expect(existsSync(join(runDir, 'kept.json'))).toBe(false);
  });
});
