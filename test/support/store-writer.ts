/** Child process for the crash test: imports tunnels forever, printing each one once it is committed. */
import { openTestStore, sampleConfig } from './store.js';

const { tunnels } = openTestStore(process.argv[2]!);
for (let i = 0; ; i++) {
  await tunnels.importText(sampleConfig().text, { name: `t${i}` });
  process.stdout.write(`committed ${i}\n`);
}
