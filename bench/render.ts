/**
 * `npx tsx bench/render.ts bench/results/<date>.json`: writes the report of a finished run again, beside its JSON, with
 * the report code as it is now (a new table, a verdict added after the run), without running anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReport } from './report';
import type { Results } from './results';

const paths = process.argv.slice(2);
if (paths.length === 0 || paths.some((path) => !path.endsWith('.json'))) {
  process.stderr.write('usage: npx tsx bench/render.ts bench/results/<date>.json …\n');
  process.exit(2);
}
for (const path of paths) {
  const results = JSON.parse(readFileSync(path, 'utf8')) as Results;
  writeFileSync(path.replace(/\.json$/, '.md'), renderReport(results));
  process.stdout.write(`${path.replace(/\.json$/, '.md')}\n`);
}
