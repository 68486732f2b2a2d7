/**
 * A scratch folder for what the helper (root) keeps, binds or reads: the helper refuses folders that anyone
 * but root can change, /tmp included, so as root it is made under /var/lib (root's, 0755). Non-root runs
 * (protocol tests that need no root) use the temp folder.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function rootOnlyTempDir(prefix: string): string {
  const dir = mkdtempSync(join(process.getuid?.() === 0 ? '/var/lib' : tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}
