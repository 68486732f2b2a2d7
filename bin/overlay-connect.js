#!/usr/bin/env node
// The CLI is bundled by `npm run build` (run by `npm ci` through the prepare script).
import('../dist/cli.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    console.error('overlay-connect: not built yet; run `npm run build` in the project folder');
    process.exit(1);
  }
  throw e;
});
