// The server's entry. It checks the Node version before anything else loads: static imports run first in
// ESM, and a native module built for Node 22 crashes an older Node without a word. Then, on PostgreSQL, it
// gives V8 the young generation that store needs (young-generation.ts, which may run the process again), and
// starts the server (src/server.ts), which owns the process from there on.
import { requireNodeVersion } from './node-version.mjs';
import { ensureYoungGeneration } from './young-generation';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
ensureYoungGeneration();
await import('./server');
