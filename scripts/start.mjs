// `npm start`: the newcomer's one command. It builds dist/ only when a source is newer than it, then becomes
// the server in this same process, so the signals a supervisor or npm sends reach the server itself (a shell
// or a second node in between left the server orphaned on SIGTERM). Services and images run the production
// command instead: `npm run build` once, then `node dist/main.js`.
import { requireNodeVersion } from '../src/node-version.mjs';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
const { buildServer, distIsStale } = await import('./build.mjs');
if (distIsStale()) {
  process.stderr.write('usher: building dist/ (sources changed since the last build)\n');
  await buildServer();
}
await import('../dist/main.js');
