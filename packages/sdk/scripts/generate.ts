/**
 * Regenerates the SDK's types from Usher's OpenAPI document: `npm run generate:sdk`.
 * With --check it only reports whether the committed files are current (exit 1 if not);
 * the test suite runs the same comparison, so the SDK cannot drift from the API.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderSdkFiles } from './render';

const files = await renderSdkFiles();
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(files)) {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === text) continue;
  stale += 1;
  if (check) process.stderr.write(`${path} is out of date: run npm run generate:sdk\n`);
  else await writeFile(path, text);
}
if (check && stale > 0) process.exit(1);
process.stdout.write(check ? 'SDK is current\n' : `SDK regenerated (${stale} file(s) changed)\n`);
