import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, runUsherToExit } from '#support/process';
import { loadLinkSecret } from '../src/link-secret';

const dirs: string[] = [];
const scratchDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'usher-link-secret-'));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  await stopAllUshers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function linkOf(base: string, id: string): Promise<unknown> {
  const response = await fetch(`${base}/v1/invitations/${id}`, {
    headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}` },
  });
  return ((await response.json()) as { url: unknown }).url;
}

describe('the link secret outside the store', () => {
  it('is created beside the SQLite file with mode 0600 on first start and reused on restart', async () => {
    const dir = scratchDir();
    const options = { databaseUrl: `sqlite:${join(dir, 'usher.db')}`, env: { USHER_LINK_SECRET: undefined } };
    const first = await startUsher(options);
    const file = join(dir, 'usher-link.secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file, 'utf8');
    expect(secret.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await first.waitForStdout(/"msg":"created the link secret file: back it up with the database"/);
    // The person at the terminal is told too: the banner names the file to back up.
    expect(first.stderr()).toContain(`Link secret:   created ${file}; back it up with the database`);
    const created = await fetch(`${first.url}/v1/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'link' }),
    });
    const { id, url } = (await created.json()) as { id: string; url: string };
    await first.stop();

    const second = await startUsher(options);
    expect(readFileSync(file, 'utf8')).toBe(secret);
    expect(second.stdout()).not.toContain('created the link secret file');
    expect(second.stderr()).not.toContain('Link secret:');
    const port = new URL(second.url).port;
    // The public URL follows the port each start binds; the token is what must survive the restart.
    expect(await linkOf(second.url, id)).toBe(url.replace(/:\d+\//, `:${port}/`));
    await second.stop();
  });

  it('refuses to start on a secret file too short to be a key', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'usher-link.secret'), 'short\n', { mode: 0o600 });
    const exited = await runUsherToExit({
      databaseUrl: `sqlite:${join(dir, 'usher.db')}`,
      env: { USHER_LINK_SECRET: undefined },
    });
    expect(exited.code).not.toBe(0);
    expect(exited.stderr).toContain('the link secret must be at least 32 characters');
  });

  it('prefers USHER_LINK_SECRET and then writes no file', () => {
    const file = join(scratchDir(), 'nested', 'usher-link.secret');
    expect(loadLinkSecret({ linkSecret: 'e'.repeat(32), linkSecretFile: file })).toEqual({
      secret: 'e'.repeat(32),
      origin: 'environment',
    });
    expect(() => statSync(file)).toThrow();
    const created = loadLinkSecret({ linkSecret: undefined, linkSecretFile: file });
    expect(created.origin).toBe('created');
    expect(loadLinkSecret({ linkSecret: undefined, linkSecretFile: file })).toEqual({
      secret: created.secret,
      origin: 'file',
    });
  });
});
