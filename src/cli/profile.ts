import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { usageError } from './errors';

/** Where `usher init` left the CLI: one server and one tenant key. */
export interface Profile {
  readonly url: string;
  readonly apiKey: string;
}

/** The saved profile, or null when there is none yet; a file that is not a profile is a usage error. */
export function readProfile(path: string): Profile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`cannot read the profile ${path}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as Partial<Profile>;
    if (typeof value.url === 'string' && typeof value.apiKey === 'string')
      return { url: value.url, apiKey: value.apiKey };
  } catch {
    // reported below, with the fix
  }
  throw usageError(`${path} is not an usher profile ({"url": …, "apiKey": …}); fix it or run \`usher init\` again`);
}

/** Writes the profile readable by its owner only (0600): it holds a key to the whole tenant. */
export function saveProfile(path: string, profile: Profile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Write beside it and rename, so a crash never leaves half a profile; the mode is set before the key is in it.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, '', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  writeFileSync(temporary, `${JSON.stringify({ url: profile.url, apiKey: profile.apiKey }, null, 2)}\n`);
  renameSync(temporary, path);
}
