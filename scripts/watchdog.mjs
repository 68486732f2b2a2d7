// Runs a test command under an overall time limit. A native deadlock blocks a vitest worker's event loop,
// so no test timeout can fire there; this separate process can. When the limit trips it prints the test
// files that started and did not finish (the summary reporter appends `start FILE` / `end FILE` lines to
// OC_TEST_PROGRESS as they happen), the native backtrace of every process of the run where gdb is present,
// then ends the run's whole process group and exits 124.
//
//   node scripts/watchdog.mjs --limit SECONDS -- COMMAND [ARGS...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const limitAt = argv.indexOf('--limit');
const limitS = Number(argv[limitAt + 1]);
if (sep < 0 || limitAt < 0 || limitAt > sep || !(limitS > 0) || sep === argv.length - 1) {
  console.error('usage: node scripts/watchdog.mjs --limit SECONDS -- COMMAND [ARGS...]');
  process.exit(2);
}
const [command, ...args] = argv.slice(sep + 1);
const work = mkdtempSync(join(tmpdir(), 'oc-watchdog-'));
const progressFile = join(work, 'progress.log');

// detached: the run gets its own process group, so that everything it started can be found and ended.
const child = spawn(command, args, {
  stdio: 'inherit',
  detached: true,
  env: { ...process.env, OC_TEST_PROGRESS: progressFile },
});
const started = Date.now();

function unfinished() {
  if (!existsSync(progressFile)) return [];
  const open = new Set();
  for (const line of readFileSync(progressFile, 'utf8').split('\n')) {
    const m = /^(start|end) (.+)$/.exec(line);
    if (m?.[1] === 'start') open.add(m[2]);
    else if (m) open.delete(m[2]);
  }
  return [...open];
}

/** Pids in the run's process group, with their command lines (Linux /proc). */
function groupProcesses(pgid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      out.push({ pid: Number(entry), cmd });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function haveGdb() {
  return spawnSync('gdb', ['--version'], { stdio: 'ignore' }).status === 0;
}

const timer = setTimeout(() => {
  const files = unfinished();
  console.error(`\nwatchdog: the tests ran past their limit of ${limitS} s and are ended.`);
  console.error(
    files.length
      ? `watchdog: test files started and not finished:\n${files.map((f) => `  ${f}`).join('\n')}`
      : 'watchdog: no test file was running (stuck before or after the tests)',
  );
  const procs = process.platform === 'linux' ? groupProcesses(child.pid) : [];
  const gdb = procs.length > 0 && haveGdb();
  if (!gdb) console.error('watchdog: gdb not found: no native backtraces (apt-get install gdb)');
  for (const p of procs) {
    console.error(`watchdog: pid ${p.pid}: ${p.cmd.slice(0, 200)}`);
    if (!gdb || !/node/.test(p.cmd)) continue;
    const bt = spawnSync('gdb', ['-p', String(p.pid), '-batch', '-ex', 'thread apply 1 bt'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const frames = (bt.stdout ?? '').split('\n').filter((l) => /^#\d+/.test(l));
    console.error(frames.length ? frames.slice(0, 25).join('\n') : `  (no backtrace: ${bt.stderr?.trim()})`);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(work, { recursive: true, force: true });
  console.error(`\ntests: 0 passed, 1 failed, 0 skipped (watchdog: limit of ${limitS} s)`);
  process.exit(124);
}, limitS * 1000);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  });
}

child.on('exit', (code, signal) => {
  clearTimeout(timer);
  rmSync(work, { recursive: true, force: true });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.error(`watchdog: the run ended after ${secs} s (limit ${limitS} s)`);
  process.exit(code ?? (signal ? 128 : 1));
});
