/** A config check as `config check` reports it: the grammar verdict plus warnings about this machine. */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { accessSync, constants } from 'node:fs';
import type { ConfigIssue, ScriptReport } from './model.js';
import { checkConfigText, type ParseReport } from './parser.js';

export interface CheckResult {
  valid: boolean;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  scripts: ScriptReport[];
}

/** Finds an executable on PATH (plus the sbin folders wg-quick's users often lack on PATH). */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export interface MachineFacts {
  /** Whether a resolvconf wg-quick can call exists here (wg-quick's DNS support on Linux needs it). */
  hasResolvconf: boolean;
}

export function machineFacts(): MachineFacts {
  return { hasResolvconf: process.platform !== 'linux' || findExecutable('resolvconf') !== undefined };
}

export function addMachineWarnings(report: ParseReport, facts: MachineFacts): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  if (report.config?.interface.dns.length && !facts.hasResolvconf) {
    warnings.push({
      line: 1,
      message:
        'DNS is set but this machine has no resolvconf: wg-quick will fail to bring the tunnel up (install openresolv or systemd-resolved)',
    });
  }
  return warnings;
}

export async function checkConfigFile(
  path: string,
  facts: MachineFacts = machineFacts(),
): Promise<CheckResult> {
  const bytes = await readFile(path);
  const report = checkConfigText(bytes);
  const warnings = [...report.warnings, ...addMachineWarnings(report, facts)];
  if ((statSync(path).mode & 0o007) !== 0) {
    warnings.unshift({
      line: 1,
      message: `${path} is readable by every user of this machine; it holds a private key (chmod 600)`,
    });
  }
  return { valid: report.errors.length === 0, errors: report.errors, warnings, scripts: report.scripts };
}
