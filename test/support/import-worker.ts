/** A process that imports N tunnels into a store, as a CLI or an app would: for the concurrency test.
 * Usage: node --import tsx test/support/import-worker.ts DATA_DIR PREFIX COUNT */
import { randomBytes } from 'node:crypto';
import { openNodeStore } from '../../src/core/store/open-node-store.js';
import { TunnelStore } from '../../src/core/tunnels/tunnel-store.js';
import { sampleConfig, testKeyring } from './store.js';

const [dataDir, prefix, count] = process.argv.slice(2) as [string, string, string];
const store = openNodeStore(dataDir);
// A fresh salt per process: two keyrings made by racing first runs would not open each other's keys.
const params = () => ({ salt: randomBytes(16).toString('base64'), N: 1 << 10, r: 8, p: 1 });
const tunnels = new TunnelStore(store, testKeyring(store, 'shared passphrase', params));
for (let i = 0; i < Number(count); i++)
  await tunnels.importText(sampleConfig().text, { name: `${prefix}-${i}` });
