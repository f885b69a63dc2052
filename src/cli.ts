// The `usher` command's entry, built to dist/cli.js (bin/usher.js runs it). Like src/main.ts it checks the
// Node version before anything else loads, then hands the process to the CLI (src/cli/main.ts).
import { requireNodeVersion } from './node-version.mjs';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
const { runCli } = await import('./cli/main');
process.exitCode = await runCli(process.argv);
