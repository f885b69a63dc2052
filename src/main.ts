// The server's entry. It checks the Node version before anything else loads: static imports run first in
// ESM, and a native module built for Node 22 crashes an older Node without a word. Then it gives V8 the young
// generation its store needs and the C allocator its settings (process-image.ts, which may run the process again),
// and starts the server (src/server.ts), which owns the process from there on.
import { requireNodeVersion } from './node-version.mjs';
import { ensureProcessImage } from './process-image';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
ensureProcessImage();
await import('./server');
