/**
 * @polkadot/api is ~90 MB and seconds to load: only grid commands may pull it in. So nothing in
 * src/grid3/tfchain imports @polkadot statically — live.ts reaches it with a dynamic import() when a
 * live chain is connected — and the folder's index re-exports live.ts only behind a function.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../../../src/grid3/tfchain/', import.meta.url));

describe('src/grid3/tfchain loads @polkadot lazily', () => {
  it('has no static import of @polkadot, nor of live.ts', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('live.ts');
    for (const f of files) {
      const src = readFileSync(DIR + f, 'utf8');
      const statics = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      expect(
        statics.filter((m) => m!.startsWith('@polkadot')),
        f,
      ).toEqual([]);
      expect(
        statics.filter((m) => m === './live.js'),
        f,
      ).toEqual([]);
      expect(
        statics.filter((m) => m!.startsWith('@threefold')),
        f,
      ).toEqual([]);
    }
    expect(readFileSync(DIR + 'live.ts', 'utf8')).toMatch(/import\('@polkadot\/api'\)/);
  });
});
