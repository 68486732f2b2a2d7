/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, so that whoever reads the CI log (human or
 * machine) sees the count without parsing vitest's table. Skips are counted, never folded into passes.
 *
 * A failure outside any test (a `beforeAll` that throws, a file that does not import, an unhandled error)
 * counts as a failure with its file named: vitest then reports the file's tests as *skipped*, which alone
 * would hide the failure. Every skip's reason (test/support/gate.ts records them) is printed above the
 * line. With OC_TEST_PROGRESS set (scripts/watchdog.mjs sets it), each test file's start and end is
 * appended to that file as it happens, so a run that hangs can say which files never finished.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestSuite } from 'vitest/node';

function progress(line: string): void {
  const file = process.env.OC_TEST_PROGRESS;
  if (file) appendFileSync(file, `${line}\n`);
}

/** Errors raised outside tests, in a module or any of its suites (hooks, collection). */
function outsideErrors(node: TestModule | TestSuite): SerializedError[] {
  const own = [...node.errors()];
  for (const child of node.children.allSuites()) own.push(...child.errors());
  return own;
}

export default class SummaryReporter implements Reporter {
  onTestModuleStart(mod: TestModule): void {
    progress(`start ${mod.relativeModuleId}`);
  }

  onTestModuleEnd(mod: TestModule): void {
    progress(`end ${mod.relativeModuleId}`);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const notes: string[] = [];
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      const errors = outsideErrors(mod);
      if (errors.length || (mod.state() === 'failed' && !hasFailedTest(mod))) {
        failed++;
        notes.push(
          `FAILED outside any test: ${mod.relativeModuleId}: ${errors[0]?.message ?? 'the file failed'}`,
        );
      }
    }
    if (unhandled.length) {
      failed += unhandled.length;
      for (const e of unhandled) notes.push(`FAILED unhandled error: ${e.message}`);
    }
    const runDir = process.env.OC_TEST_RUN_DIR;
    const skipLog = runDir ? join(runDir, 'skips.log') : undefined;
    if (skipLog && existsSync(skipLog)) {
      for (const line of readFileSync(skipLog, 'utf8').split('\n').filter(Boolean))
        notes.push(`SKIPPED ${line}`);
    }
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    const text = notes.length ? `\n${notes.join('\n')}\n` : '';
    process.stdout.write(`${text}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

function hasFailedTest(mod: TestModule): boolean {
  for (const t of mod.children.allTests()) if (t.result().state === 'failed') return true;
  return false;
}
