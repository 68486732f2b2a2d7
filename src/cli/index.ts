/** Entry of the CLI bundle. */
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Read on first use: making process.stdin sets up a stream (a few ms) that most commands never read.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
});
process.exitCode = code;
