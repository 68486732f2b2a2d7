#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm ci` through the prepare script). `helper run` starts
// the privileged helper's own small bundle: the process that stays root loads only what the helper needs.
// The other helper commands (`helper install` runs elevated, as root) start the CLI's one-file bundle, the
// one the helper's code check vouches for. Every other command starts the split CLI, which imports only
// the running command's code.
const TAKES_VALUE = new Set([
  '--data-dir',
  '--explorer',
  '--netns',
  '--helper',
  '--socket',
  '--group',
  '--run-dir',
  '--policy',
]);
const words = [];
for (let i = 2; i < process.argv.length && words.length < 2; i++) {
  const a = process.argv[i];
  if (TAKES_VALUE.has(a)) i++;
  else if (!a.startsWith('-')) words.push(a);
}
const entry =
  words[0] !== 'helper'
    ? '../dist/cli/index.js'
    : words[1] === 'run'
      ? '../dist/helper.js'
      : '../dist/cli.js';
import(entry).catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(entry.slice(3))) {
    console.error('overlay-connect: not built yet; run `npm run build` in the project folder');
    process.exit(1);
  }
  throw e;
});
