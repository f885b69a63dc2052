// The Node.js version check shared by every entry (the server, `npm start`, the `usher` command). Plain
// JavaScript with no imports but node:fs, so it runs before anything native loads: better-sqlite3 built for
// Node 22 ends an older Node with a segmentation fault and no message. The minimum is package.json's
// `engines.node`, read here, so the check and the package can never name different versions.
import { readFileSync } from 'node:fs';

/** The minimum `engines.node` names (">=22.12.0" → [22, 12, 0]). */
export function requiredNodeVersion(engines) {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(engines).trim());
  if (!match) throw new Error(`package.json's engines.node must read ">=MAJOR.MINOR.PATCH", got "${engines}"`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** True when `version` ("22.11.0") is at least `minimum` ([22, 12, 0]). */
export function satisfies(version, minimum) {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const part = parts[i] ?? 0;
    if (part !== minimum[i]) return part > minimum[i];
  }
  return true;
}

/**
 * Exits with status 2 and one line naming the needed and the found version when this Node is too old.
 * `packageJsonUrl` points at the project's package.json (relative to the caller's own module).
 */
export function requireNodeVersion(program, packageJsonUrl, version = process.versions.node) {
  const { engines } = JSON.parse(readFileSync(packageJsonUrl, 'utf8'));
  const minimum = requiredNodeVersion(engines.node);
  if (satisfies(version, minimum)) return;
  process.stderr.write(
    `${program}: Node.js ${minimum.join('.')} or newer is needed, this is ${version}` +
      ' (from a clone, npm scripts and `npx usher` use the Node 22 that `npm install` puts in node_modules/.bin)\n',
  );
  process.exit(2);
}
