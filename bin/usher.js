#!/usr/bin/env node
// The `usher` command: checks the Node version (package.json's engines, as the server does), then runs the
// compiled CLI, dist/cli.js. Like `npm start` it builds dist/ first when a source is newer (a fresh clone has
// none), saying so on stderr: stdout is the commands' own, and `--json` promises nothing else there.
import { fileURLToPath } from 'node:url';
import { requireNodeVersion } from '../src/node-version.mjs';
import { allocatorEnvironment } from '../src/allocator-environment.mjs';
import { replaceProcess } from '../src/replace-process.mjs';
import { startNodeOptions } from '../src/start-options.mjs';

const packageJson = new URL('../package.json', import.meta.url);
requireNodeVersion('usher', packageJson);
const { buildServer, distIsStale } = await import('../scripts/build.mjs');
if (distIsStale()) {
  process.stderr.write('usher: building dist/ (sources changed since the last build)\n');
  await buildServer();
}
// `usher serve` is the server, and runs with the node options npm start gives it (heap caps, no pretenuring), which
// are fixed when node starts: this process becomes `node [options] dist/cli.js serve …` (process.execve, Node 22.15
// and later: the same pid, so signals and the exit code are the server's, with no wrapper left to orphan it), and
// with the allocator's settings the server's entry would otherwise run itself again for (process-image.ts).
// Only with `serve` first; elsewhere, or where the process cannot be replaced (src/replace-process.mjs), the server
// runs in this process without them.
if (process.argv[2] === 'serve') {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const argv = [process.execPath, ...startNodeOptions(packageJson), cli, ...process.argv.slice(2)];
  const reason = replaceProcess(argv, { ...process.env, ...allocatorEnvironment(process.env, process.platform) });
  process.stderr.write(`usher: serving without npm start's node options (${reason})\n`);
}
await import('../dist/cli.js');
