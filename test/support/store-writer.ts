/** Child process for the crash test: imports tunnels named PREFIX-0, PREFIX-1, … forever, printing each one
 * once it is committed. Usage: store-writer DATA_DIR PREFIX */
import { openTestStore, sampleConfig } from './store.js';

const [dir, prefix] = process.argv.slice(2) as [string, string];
const { tunnels } = openTestStore(dir);
for (let i = 0; ; i++) {
  await tunnels.importText(sampleConfig().text, { name: `${prefix}-${i}` });
  process.stdout.write(`committed ${prefix}-${i}\n`);
}
