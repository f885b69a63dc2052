import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where the link secret comes from: USHER_LINK_SECRET, or the file (USHER_LINK_SECRET_FILE or its default). */
export interface LinkSecretSource {
  readonly linkSecret: string | undefined;
  readonly linkSecretFile: string;
}

/** The secret and where it came from, for the start log. */
export interface LoadedLinkSecret {
  readonly secret: string;
  readonly origin: 'environment' | 'file' | 'created';
}

/**
 * The server secret invitation links are derived from. Kept outside the store on purpose: a copy of the
 * database alone must not yield a link. Unset in the environment, it is read from its file, which the
 * first start creates (32 random bytes, mode 0600); a process that loses the race to create it reads it.
 * The file appears whole or not at all (written aside, then hard-linked into place), so a process starting
 * beside another never reads it half-written.
 */
export function loadLinkSecret(source: LinkSecretSource): LoadedLinkSecret {
  if (source.linkSecret !== undefined) return { secret: source.linkSecret, origin: 'environment' };
  const existing = readSecretFile(source.linkSecretFile);
  if (existing !== null) return { secret: existing, origin: 'file' };
  mkdirSync(dirname(source.linkSecretFile), { recursive: true });
  const aside = `${source.linkSecretFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, source.linkSecretFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  const created = readSecretFile(source.linkSecretFile);
  if (created === null) throw new Error(`${source.linkSecretFile}: could not create the link secret`);
  return { secret: created, origin: 'created' };
}

function readSecretFile(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const secret = text.trim();
  // A truncated or hand-edited file must not quietly become a weak key.
  if (secret.length < 32)
    throw new Error(`${path}: the link secret must be at least 32 characters (it has ${secret.length})`);
  return secret;
}
