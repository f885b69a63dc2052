// The node options `npm start` runs the server with (source maps, V8's heap caps, no pretenuring), read from
// package.json's start script so that everything else that starts the server (`usher serve`, the bench, the
// deployment files' test) uses exactly those. Plain JavaScript with no imports but node:fs, as node-version.mjs.
import { readFileSync } from 'node:fs';

/** The options between `node` and `scripts/start.mjs` in package.json's start script. */
export function startNodeOptions(packageJsonUrl) {
  const { scripts } = JSON.parse(readFileSync(packageJsonUrl, 'utf8'));
  const match = /^(?:exec )?node((?:\s+--\S+)*)\s+scripts\/start\.mjs\s*$/.exec(scripts.start);
  if (!match)
    throw new Error(`package.json's start script is not "node [--options] scripts/start.mjs": ${scripts.start}`);
  return match[1].trim().split(/\s+/).filter(Boolean);
}
