import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/core/wgconf/check.js';
import { cli } from '../support/cli.js';
import { sampleConfig } from '../support/store.js';
import { useTempDir } from '../support/tmp.js';
import { gate } from '../support/gate.js';

describe('overlay-connect CLI', () => {
  const tmp = useTempDir();

  it('renames a tunnel: its key follows, the old name is gone, a taken name is refused', () => {
    const data = ['--data-dir', join(tmp.path, 'data')];
    const { text, me } = sampleConfig();
    writeFileSync(join(tmp.path, 'a.conf'), text, { mode: 0o600 });
    writeFileSync(join(tmp.path, 'b.conf'), sampleConfig().text, { mode: 0o600 });
    expect(cli(['tunnel', 'import', join(tmp.path, 'a.conf'), '--name', 'office', ...data]).code).toBe(0);
    expect(cli(['tunnel', 'import', join(tmp.path, 'b.conf'), '--name', 'home', ...data]).code).toBe(0);
    expect(cli(['tunnel', 'rename', 'office', 'home', ...data]).stderr).toMatch(
      /A tunnel named "home" already exists/,
    );
    const r = cli(['tunnel', 'rename', 'office', 'work', ...data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Renamed "office" to "work"');
    expect(
      JSON.parse(cli(['tunnel', 'list', '--json', ...data]).stdout).map((t: { name: string }) => t.name),
    ).toEqual(['home', 'work']);
    expect(cli(['tunnel', 'export', 'work', ...data]).stdout).toContain(`PrivateKey = ${me.privateKey}`);
    expect(cli(['tunnel', 'show', 'office', ...data]).code).toBe(1);
  });
  it('tunnel scripts: lists the hooks, allows them only when asked, blocks them again', () => {
    const data = ['--data-dir', join(tmp.path, 'data')];
    writeFileSync(join(tmp.path, 's.conf'), sampleConfig('PostUp = logger hello').text, { mode: 0o600 });
    expect(cli(['tunnel', 'import', join(tmp.path, 's.conf'), '--name', 's', ...data]).code).toBe(0);
    expect(cli(['tunnel', 'scripts', 's', ...data]).stdout).toBe('PostUp = logger hello\nblocked\n');
    const allow = cli(['tunnel', 'scripts', 's', '--allow', ...data]);
    expect(allow.stdout).toBe(
      'PostUp = logger hello\nThe 1 hook(s) above will run as root when "s" goes up or down\n',
    );
    expect(JSON.parse(cli(['tunnel', 'show', 's', '--json', ...data]).stdout).allowScripts).toBe(true);
    expect(cli(['tunnel', 'scripts', 's', '--block', ...data]).code).toBe(0);
    expect(JSON.parse(cli(['tunnel', 'show', 's', '--json', ...data]).stdout).allowScripts).toBe(false);
    expect(cli(['tunnel', 'scripts', 's', '--allow', '--block', ...data]).code).toBe(1);
  });

  const write = (name: string, text: string) => {
    const p = join(tmp.path, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };

  it('config check: exit 0 for a valid file, 1 with line-numbered JSON for an invalid one', () => {
    const good = write('good.conf', sampleConfig('PostUp = touch /tmp/pwned').text);
    const ok = cli(['config', 'check', good, '--json']);
    expect(ok.code).toBe(0);
    const okJson = JSON.parse(ok.stdout);
    expect(okJson).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(okJson.scripts).toEqual([{ line: 4, key: 'PostUp', command: 'touch /tmp/pwned' }]);

    const bad = write('bad.conf', '[Interface]\nPrivateKey = YOUR_KEY_HERE\nMTU = 9\n');
    const no = cli(['--json', 'config', 'check', bad]);
    expect(no.code).toBe(1);
    expect(JSON.parse(no.stdout)).toEqual({
      valid: false,
      errors: [
        { line: 2, message: expect.stringMatching(/placeholder/) },
        { line: 3, message: expect.stringMatching(/MTU/) },
      ],
      warnings: [],
      scripts: [],
    });
    const text = cli(['config', 'check', bad]);
    expect(text.stdout).toMatch(/bad\.conf:2: error: PrivateKey/);
  });

  it('config check warns about a world-readable file', () => {
    const p = write('open.conf', sampleConfig().text);
    execFileSync('chmod', ['644', p]);
    const r = cli(['config', 'check', p, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings[0].message).toMatch(/readable by every user/);
  });

  it('imports, lists, shows, exports and removes a tunnel; global options go before or after', () => {
    const dataDir = join(tmp.path, 'data');
    const { text, me } = sampleConfig('PostUp = touch /tmp/pwned');
    const file = write('office.conf', text);
    const imp = cli(['tunnel', 'import', file, '--data-dir', dataDir]);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/Imported "office" \(interface office\)/);
    expect(imp.stderr).toMatch(/PostUp \(line 4\) kept for display but will not run/);

    const list = cli(['--data-dir', dataDir, 'tunnel', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'office', interface: 'office', publicKey: me.publicKey }),
    ]);

    const show = cli(['tunnel', 'show', 'office', '--data-dir', dataDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(me.publicKey);
    for (const out of [
      show.stdout,
      list.stdout,
      imp.stdout,
      cli(['tunnel', 'show', 'office', '--json', '--data-dir', dataDir]).stdout,
    ]) {
      expect(out).not.toContain(me.privateKey);
    }

    const exported = join(tmp.path, 'out', 'office.conf');
    mkdirSync(join(tmp.path, 'out'));
    expect(cli(['tunnel', 'export', 'office', '-o', exported, '--data-dir', dataDir]).code).toBe(0);
    expect(statSync(exported).mode & 0o777).toBe(0o600);
    expect(readFileSync(exported, 'utf8')).toContain(`PrivateKey = ${me.privateKey}`);
    expect(cli(['tunnel', 'export', 'office', '--data-dir', dataDir]).stdout).toContain(me.privateKey);

    expect(cli(['tunnel', 'remove', 'office', '--data-dir', dataDir]).code).toBe(0);
    expect(JSON.parse(cli(['tunnel', 'list', '--json', '--data-dir', dataDir]).stdout)).toEqual([]);
  });

  it('maps hostile names to safe interface names and refuses what cannot be a name', () => {
    const dataDir = join(tmp.path, 'data');
    const file = write('x.conf', sampleConfig().text);
    const r = cli(['tunnel', 'import', file, '--name', '";rm -rf *"', '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: '";rm -rf *"', interface: 'rm-rf' });
    for (const name of ['../x', 'a\u0007b', 'n'.repeat(300)]) {
      const bad = cli(['tunnel', 'import', file, '--name', name, '--data-dir', dataDir]);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('says user errors in one line with exit 1, usage errors with exit 2', () => {
    const dataDir = join(tmp.path, 'data');
    const missing = cli(['tunnel', 'show', 'nope', '--data-dir', dataDir]);
    expect([missing.code, missing.stderr]).toEqual([1, 'overlay-connect: No tunnel named "nope"\n']);
    const noFile = cli(['tunnel', 'import', join(tmp.path, 'none.conf'), '--data-dir', dataDir]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/^overlay-connect: Cannot read .*: no such file\n$/);
    const invalid = cli([
      'tunnel',
      'import',
      write('bad.conf', '[Interface]\nMTU = 1\n'),
      '--data-dir',
      dataDir,
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(
      /^overlay-connect: line 1: \[Interface\] has no PrivateKey \(and 1 more problem\)\n$/,
    );
    expect(cli(['tunnel', 'frobnicate']).code).toBe(2);
    expect(cli(['tunnel', 'show']).code).toBe(2);
    expect(cli(['tunnel', 'list', '--bogus']).code).toBe(2);
    expect(cli(['config', 'check', 'a', '--name', 'x']).code).toBe(2);
    expect(cli([]).code).toBe(2);
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/tunnel import FILE/);
  });

  it('asks for a passphrase it cannot get in a clear way', () => {
    const dataDir = join(tmp.path, 'data');
    const r = cli(['tunnel', 'import', write('y.conf', sampleConfig().text), '--data-dir', dataDir], {
      OVERLAY_CONNECT_PASSPHRASE: undefined,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'overlay-connect: A passphrase is needed for the key store: set OVERLAY_CONNECT_PASSPHRASE or run in a terminal\n',
    );
  });

  it('reports a damaged store, keeps a copy and exits non-zero', () => {
    const dataDir = join(tmp.path, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, 'state.json'), '{ broken', { mode: 0o600 });
    const r = cli(['tunnel', 'list', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be read .* a copy is at .*state\.json\.damaged-/);
    expect(readFileSync(join(dataDir, 'state.json'), 'utf8')).toBe('{ broken');
  });

  const wg = findExecutable('wg');
  const noWg = gate(
    'keys generate vs wg pubkey',
    wg ? undefined : '`wg` not found (apt-get install wireguard-tools)',
  );
  it.skipIf(noWg)('keys generate prints a pair wg agrees with', () => {
    const pair = JSON.parse(cli(['keys', 'generate', '--json']).stdout);
    expect(execFileSync(wg!, ['pubkey'], { input: pair.privateKey, encoding: 'utf8' }).trim()).toBe(
      pair.publicKey,
    );
  });
});
