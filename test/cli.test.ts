import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliHome, type CliEnv, type CliHome, type CliResult } from '#support/cli';
import { closedPort } from '#support/ports';
import { startUsher, stopAllUshers, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { createProgram } from '../src/cli/main';

const APOLLO = 'https://example.com/p/apollo';
const GALA = 'https://example.com/e/gala';
const CRM = 'https://example.com/p/crm';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

/** Every command path of the program, from the program itself, so a new command cannot miss the help test. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

function csvFile(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('the usher command', () => {
  let home: CliHome;
  let scratch: ScratchDatabase;
  let usher: RunningUsher;
  let init: CliResult;
  let key: string;
  let secondTenantKey: string;

  beforeAll(async () => {
    home = createCliHome();
    scratch = await createScratchDatabase('sqlite');
    // `usher init` makes the first tenant in the empty file; the server then finds a store it need not bootstrap.
    init = await home.run(['init', '--database-url', scratch.url]);
    key = /Admin API key \(shown once[^)]*\): (\S+)/.exec(init.stdout)?.[1] ?? '';
    // No outbox worker: the emails these tests queue need not go anywhere, and the imports get the database alone.
    usher = await startUsher({
      databaseUrl: scratch.url,
      env: { USHER_BOOTSTRAP_API_KEY: undefined, USHER_RUN_WORKER: 'false' },
    });
  }, 60_000);

  afterAll(async () => {
    await usher?.stop();
    await scratch?.drop();
    home?.remove();
  });

  const asTenant = (): CliEnv => ({ USHER_URL: usher.url, USHER_API_KEY: key });
  const run = (args: readonly string[], env: CliEnv = asTenant()) => home.run(args, env);
  /** Runs with --json, expects success and nothing but JSON on stdout. */
  async function runJson(args: readonly string[], env: CliEnv = asTenant()): Promise<any> {
    const result = await run([...args, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  }
  const invitationsTo = async (target: string, env: CliEnv = asTenant()) =>
    (await runJson(['invite', 'list', '--target', target, '--all'], env)).data as Array<{
      id: string;
      recipient: { email: string };
      message: string | null;
      metadata: object;
      role: string;
    }>;

  it('init makes the first tenant in an empty SQLite file, prints its key once, saves a 0600 profile, and the key works', async () => {
    expect(init.code, init.stderr).toBe(0);
    expect(key).toMatch(/^usk_/);
    expect(init.stdout.split(key)).toHaveLength(2);
    const profilePath = join(home.dir, 'config.json');
    expect(JSON.parse(readFileSync(profilePath, 'utf8'))).toEqual({ url: 'http://127.0.0.1:8080', apiKey: key });
    expect(statSync(profilePath).mode & 0o777).toBe(0o600);

    const keys = await runJson(['keys', 'list']);
    expect(keys.data).toEqual([expect.objectContaining({ name: 'admin', operator: true, revokedAt: null })]);

    const again = await run(['init', '--database-url', scratch.url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already has a tenant');
  });

  it('init --tenant adds a tenant to a store in use; the saved profile alone is enough afterwards; remote init checks a key', async () => {
    const other = createCliHome();
    try {
      const created = await other.run([
        'init',
        '--database-url',
        scratch.url,
        '--tenant',
        'Second',
        '--url',
        usher.url,
      ]);
      expect(created.code, created.stderr).toBe(0);
      secondTenantKey = /Admin API key \(shown once[^)]*\): (\S+)/.exec(created.stdout)![1]!;

      const identities = await other.run(['identities', 'list', '--json']);
      expect(identities.code, identities.stderr).toBe(0);
      expect(JSON.parse(identities.stdout).data).toEqual([
        expect.objectContaining({ displayName: 'Second', isDefault: true }),
      ]);

      const remote = await other.run(['init', '--url', usher.url, '--api-key', key]);
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout).toContain('tenant "Default"');
      expect(JSON.parse(readFileSync(join(other.dir, 'config.json'), 'utf8'))).toEqual({ url: usher.url, apiKey: key });

      const wrong = await other.run(['init', '--url', usher.url, '--api-key', 'usk_not-a-key-of-this-server']);
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toMatch(/^unauthorized: /m);
    } finally {
      other.remove();
    }
  });

  it('keys create --local makes a key in the store itself, for an operator with no key, and the server takes it', async () => {
    const made = await home.run(['keys', 'create', 'tour', '--local', '--database-url', scratch.url, '--json'], {});
    expect(made.code, made.stderr).toBe(0);
    const local = JSON.parse(made.stdout) as { key: string; name: string; operator: boolean };
    expect(local).toMatchObject({ name: 'tour', operator: false });
    const response = await fetch(`${usher.url}/v1/tenant`, { headers: { authorization: `Bearer ${local.key}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { name: string }).name).toBe('Default');
    // No key made it: the trail names the local operator, through the CLI.
    const trail = await fetch(`${usher.url}/v1/audit-events?action=key.created`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const entries = ((await trail.json()) as { data: Array<{ subjectId: string; actor: object }> }).data;
    expect(entries.filter((entry) => entry.subjectId === (local as { id?: string }).id)).toEqual([
      expect.objectContaining({ actor: { keyId: null, keyName: null, surface: 'cli' } }),
    ]);

    const unknown = await home.run(
      ['keys', 'create', 'x', '--local', '--database-url', scratch.url, '--tenant', 'Nobody'],
      {},
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no tenant with the id or the (unique) name "Nobody"');
    const stray = await run(['keys', 'create', 'x', '--operator']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('go with --local');
  });

  it('keys create --invites-per-day gives a key its own quota; keys quota changes it and --default clears it', async () => {
    const made = await runJson(['keys', 'create', 'crm-ann', '--invites-per-hour', '10', '--invites-per-day', '50']);
    expect(made.inviteQuota).toEqual({ perHour: 10, perDay: 50 });
    const shown = await run(['keys', 'quota', made.id, '--invites-per-day', '20']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^invite quota +no limit\/hour, 20\/day$/m);
    const listed = async () => (await runJson(['keys', 'list'])).data.find((k: { id: string }) => k.id === made.id);
    expect((await listed()).inviteQuota).toEqual({ perHour: null, perDay: 20 });
    expect((await runJson(['keys', 'quota', made.id, '--default'])).inviteQuota).toBeNull();
    expect((await listed()).inviteQuota).toBeNull();
    for (const args of [[], ['--default', '--invites-per-day', '3']]) {
      const wrong = await run(['keys', 'quota', made.id, ...args]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('or --default');
    }
    const negative = await run(['keys', 'quota', made.id, '--invites-per-day', '-1']);
    expect(negative.code).toBe(2);
    const local = await home.run(
      ['keys', 'create', 'local-q', '--local', '--database-url', scratch.url, '--invites-per-day', '7', '--json'],
      {},
    );
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout).inviteQuota).toEqual({ perHour: null, perDay: 7 });
  });

  it('keys create --scope --grantable-role --allowed-target makes a narrower key, shows its rights, and the server holds it to them', async () => {
    const made = await run([
      'keys',
      'create',
      'crm',
      '--scope',
      'invitations:read',
      '--scope',
      'invitations:write',
      '--grantable-role',
      'member',
      '--allowed-target',
      CRM,
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^scopes +invitations:read, invitations:write$/m);
    expect(made.stdout).toMatch(/^grantable roles +member$/m);
    expect(made.stdout).toMatch(new RegExp(`^allowed targets +${CRM}$`, 'm'));
    const crm: CliEnv = { USHER_URL: usher.url, USHER_API_KEY: /^key +(\S+)$/m.exec(made.stdout)![1]! };
    const owner = await run(
      [
        'invite',
        'create',
        '--email',
        'owner@example.com',
        '--role',
        'owner',
        '--target-type',
        'project',
        '--target-iri',
        CRM,
        '--target-name',
        'CRM',
      ],
      crm,
    );
    expect(owner.code).toBe(3);
    expect(owner.stderr).toMatch(/^role_not_grantable: .*\(body\.role\)$/m);
    const member = await run(
      [
        'invite',
        'create',
        '--email',
        'member@example.com',
        '--role',
        'member',
        '--target-type',
        'project',
        '--target-iri',
        CRM,
        '--target-name',
        'CRM',
      ],
      crm,
    );
    expect(member.code, member.stderr).toBe(0);
    const mint = await run(['keys', 'create', 'escalate'], crm);
    expect(mint.code).toBe(3);
    expect(mint.stderr).toMatch(/^scope_missing: .*keys:manage/m);
    const listed = (await runJson(['keys', 'list'])).data.find((k: { name: string }) => k.name === 'crm');
    expect(listed).toMatchObject({
      scopes: ['invitations:read', 'invitations:write'],
      grantableRoles: ['member'],
      allowedTargets: [CRM],
    });
  });

  it('creates, lists, shows and revokes an invitation, as tables or JSON; revoking twice is refused with exit 3', async () => {
    const created = await run([
      'invite',
      'create',
      '--email',
      'ann@example.com',
      '--name',
      'Ann',
      '--role',
      'contributor',
      '--target-type',
      'project',
      '--target-iri',
      APOLLO,
      '--target-name',
      'Apollo',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^url +http:\/\/127\.0\.0\.1:\d+\/i\/[\w-]+$/m);
    const id = /^id +(\S+)$/m.exec(created.stdout)![1]!;

    const table = await run(['invite', 'list', '--target', APOLLO]);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID +STATUS +CHANNEL +RECIPIENT +TARGET +ROLE +USES +EXPIRES +CREATED$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${id} +pending +email +ann@example\\.com +project:Apollo +contributor +0/1 `));

    const listed = await runJson(['invite', 'list', '--target', APOLLO]);
    expect(listed).toEqual({ data: [expect.objectContaining({ id, status: 'pending' })], nextCursor: null });
    expect(await runJson(['invite', 'get', id])).toMatchObject({
      id,
      recipient: { email: 'ann@example.com', name: 'Ann' },
      delivery: expect.any(Object),
    });
    // The one live link: get shows the create's URL again; reset-link moves it on and get follows.
    const link = /^url +(\S+)$/m.exec(created.stdout)![1]!;
    expect((await run(['invite', 'get', id])).stdout).toMatch(new RegExp(`^url +${link}$`, 'm'));
    const reset = await run(['invite', 'reset-link', id]);
    expect(reset.code, reset.stderr).toBe(0);
    const fresh = /^url +(\S+)$/m.exec(reset.stdout)![1]!;
    expect(fresh).not.toBe(link);
    expect((await run(['invite', 'get', id])).stdout).toMatch(new RegExp(`^url +${fresh}$`, 'm'));
    const svg = await run(['invite', 'qr', id, '--size', '128']);
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="128" height="128" /);
    const pngPath = join(home.dir, 'invitation.png');
    expect((await run(['invite', 'qr', id, '--png', '--output', pngPath])).code).toBe(0);
    expect(readFileSync(pngPath).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(statSync(pngPath).mode & 0o777).toBe(0o600);
    expect((await run(['invite', 'qr', id, '--png'])).code).toBe(2);

    const revoked = await run(['invite', 'revoke', id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/^status +revoked$/m);
    expect((await run(['invite', 'get', id])).stdout).toMatch(/^url +\(not shown: the invitation is closed\)$/m);
    const gone = await run(['invite', 'qr', id]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/^link_gone: /m);

    const twice = await run(['invite', 'revoke', id, '--json']);
    expect(twice.code).toBe(3);
    expect(twice.stdout).toBe('');
    expect(twice.stderr).toMatch(/^invitation_not_pending: \S.*$/m);
    const events = await runJson(['invite', 'events', id]);
    expect(events.data.map((e: { type: string }) => e.type)).toEqual([
      'invitation.created',
      'invitation.updated',
      'invitation.revoked',
    ]);
  });

  it('exits 2 without a URL or key or with bad flags, 3 for a key the server refuses, and 5 when the server cannot be reached', async () => {
    const bare = createCliHome();
    try {
      const [noUrl, noKey, badFlag, badKey, unreachable] = await Promise.all([
        bare.run(['invite', 'list']),
        bare.run(['invite', 'list'], { USHER_URL: usher.url }),
        run(['invite', 'list', '--limit', '0']),
        run(['keys', 'list'], { USHER_URL: usher.url, USHER_API_KEY: 'usk_wrong' }),
        closedPort().then((port) =>
          run(['invite', 'list'], { USHER_URL: `http://127.0.0.1:${port}`, USHER_API_KEY: key }),
        ),
      ]);
      expect([noUrl.code, noKey.code, badFlag.code, badKey.code, unreachable.code]).toEqual([2, 2, 2, 3, 5]);
      expect(noUrl.stderr).toContain('no Usher URL: pass --url, set USHER_URL, or run `usher init`');
      expect(noKey.stderr).toContain(`no API key for ${usher.url}`);
      expect(badFlag.stderr).toContain('--limit');
      expect(unreachable.stderr).toMatch(/^cannot reach Usher at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/m);
      for (const result of [noUrl, noKey, badKey, unreachable]) expect(result.stdout).toBe('');
    } finally {
      bare.remove();
    }
  });

  it('prints help, with examples where they help, for every command and subcommand', async () => {
    const paths = [[], ...commandPaths(createProgram())];
    expect(paths.length).toBeGreaterThan(25);
    expect(paths).toEqual(expect.arrayContaining([['migrate'], ['store', 'copy']]));
    // Every path in-process (each child process would cost a Node start), then two through bin/usher.js.
    for (const path of paths) {
      let help = '';
      const program = createProgram({
        output: { writeOut: (text) => (help += text), writeErr: (text) => (help += text) },
      });
      await expect(program.parseAsync([...path, '--help'], { from: 'user' })).rejects.toMatchObject({
        code: 'commander.helpDisplayed',
        exitCode: 0,
      });
      expect(help).toContain(`Usage: usher${path.length > 0 ? ` ${path.join(' ')}` : ''} `);
    }
    const [root, create] = await Promise.all([run(['--help'], {}), run(['invite', 'create', '--help'], {})]);
    expect([root.code, create.code]).toEqual([0, 0]);
    expect(root.stdout).toContain('Exit codes:');
    expect(root.stdout).toMatch(/^ {2}5 +cannot reach the server$/m);
    expect(create.stdout).toContain('Usage: usher invite create [options]');
    expect(create.stdout).toContain('Examples:');
  });

  it('sends as the named user of the host application, with its own redirect URL, and refuses an id without a name', async () => {
    const created = await runJson([
      'invite',
      'create',
      '--email',
      'cli-invited-by@example.com',
      '--invited-by',
      'Ada Lovelace',
      '--invited-by-id',
      'u-7',
      '--invited-by-email',
      'ada@example.com',
      '--redirect-url',
      'https://app.example.com/join',
    ]);
    expect(created).toMatchObject({
      invitedBy: { id: 'u-7', name: 'Ada Lovelace', email: 'ada@example.com', source: 'request' },
      redirectUrl: 'https://app.example.com/join',
    });
    const nameless = await run(['invite', 'create', '--email', 'cli-nameless@example.com', '--invited-by-id', 'u-8']);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain('--invited-by <name>');
  });

  it('creates a link that admits proved addresses at the --allowed-domain domains only', async () => {
    const args = ['--allowed-domain', 'Example.com', '--allowed-domain', 'example.org'];
    const link = await runJson(['invite', 'create', '--channel', 'link', '--uses', '3', ...args]);
    expect(link.allowedDomains).toEqual(['example.com', 'example.org']);
  });

  it('accepts an Usher link as the invitee with no key at all, a DIDComm invitation through our own Usher, and refuses other URLs with exit 3', async () => {
    const link = await runJson(['invite', 'create', '--channel', 'link', '--uses', '2', '--role', 'guest']);
    const stranger = createCliHome();
    try {
      const accepted = await stranger.run([
        'invite',
        'accept',
        link.url,
        '--name',
        'Bob',
        '--email',
        'bob@example.com',
        '--json',
      ]);
      expect(accepted.code, accepted.stderr).toBe(0);
      expect(JSON.parse(accepted.stdout)).toMatchObject({
        membership: { role: 'guest', member: { email: 'bob@example.com', name: 'Bob' } },
        acceptanceToken: { token: expect.any(String) },
      });
      expect(await runJson(['invite', 'get', link.id])).toMatchObject({ status: 'pending', usesCount: 1 });

      // A DIDComm invitation is accepted by our own Usher, for one of our identities: here, one of its own.
      const oob = await runJson(['invite', 'create', '--channel', 'didcomm', '--label', 'Acme', '--uses', 'unlimited']);
      expect(oob).toMatchObject({ usesAllowed: null, url: expect.stringContaining('?oob=') });
      expect(await runJson(['invite', 'accept', oob.url, '--alias', 'ourselves'])).toMatchObject({
        state: 'request-sent',
        alias: 'ourselves',
        theirLabel: 'Acme',
      });

      const nothing = await stranger.run(['invite', 'accept', 'https://example.com/about']);
      expect(nothing.code).toBe(3);
      expect(nothing.stderr).toContain('not an invitation URL');
    } finally {
      stranger.remove();
    }
  });

  it('exports invitations as CSV that matches the list, and the file imports back into another tenant', async () => {
    const target = 'https://example.com/p/round-trip';
    const people = [
      ['carol@example.com', 'Carol', 'Welcome, "Carol"'],
      ['dave@example.com', 'Dave', 'Two lines,\nwith a comma'],
      ['erin@example.com', 'Erin', ' spaced '],
    ];
    for (const [email, name, message] of people) {
      const created = await run([
        'invite',
        'create',
        '--email',
        email!,
        '--name',
        name!,
        '--message',
        message!,
        '--role',
        'editor',
        '--target-type',
        'project',
        '--target-iri',
        target,
        '--target-name',
        'Round trip',
        '--metadata',
        `seat=${name}`,
      ]);
      expect(created.code, created.stderr).toBe(0);
    }
    const listed = await invitationsTo(target);
    const file = join(home.dir, 'export.csv');

    const exported = await run(['export', '--target', target, '--output', file]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(`Exported 3 invitations to ${file}\n`);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.id)).toEqual(listed.map((i) => i.id));
    expect(rows.map((r) => [r.email, r.message, JSON.parse(r.metadata!)])).toEqual(
      listed.map((i) => [i.recipient.email, i.message, i.metadata]),
    );

    const second: CliEnv = { USHER_URL: usher.url, USHER_API_KEY: secondTenantKey };
    const imported = await run(['import', file], second);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('3 created, 0 duplicate, 0 invalid');
    expect(imported.stderr).toContain('ignoring columns it does not read: id, number, status');
    const copies = await invitationsTo(target, second);
    const view = (list: typeof listed) => list.map((i) => [i.recipient.email, i.message, i.role, i.metadata]).sort();
    expect(view(copies)).toEqual(view(listed));
  });

  it('imports 2,000 rows in batches, reporting invalid and duplicate rows and creating the rest; rerunning it creates nobody', async () => {
    const emails = Array.from({ length: 2000 }, (_, i) => `guest${i}@example.org`);
    for (const i of [100, 900, 1700]) emails[i] = `guest${i}@@example.org`;
    emails[5] = emails[3]!; // the same person twice in one batch
    emails[1200] = emails[2]!; // and in another batch
    const file = csvFile(home.dir, 'guests.csv', [
      'email,name,metadata.table',
      ...emails.map((email, i) => `${email},Guest ${i},${i % 40}`),
    ]);
    const report = join(home.dir, 'report.csv');
    const args = [
      'import',
      file,
      '--target-type',
      'event',
      '--target-iri',
      GALA,
      '--target-name',
      'Gala',
      '--role',
      'guest',
    ];

    const first = await run([...args, '--report', report]);

    expect(first.code, first.stderr).toBe(4);
    expect(first.stdout).toMatch(
      /^Imported 2000 rows in [\d.]+ s \(\d+ rows\/s\): 1995 created, 2 duplicate, 3 invalid$/m,
    );
    for (const i of [100, 900, 1700])
      expect(first.stdout).toMatch(new RegExp(`^${i + 2} +guest${i}@@example\\.org +validation_failed +email +`, 'm'));
    expect(first.stderr).toMatch(/^usher import: \d+% of the file, 500 rows/m);
    const results = parse(readFileSync(report, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(results).toHaveLength(2000);
    expect(results.filter((r) => r.outcome === 'created' && r.url!.includes('/i/'))).toHaveLength(1995);
    expect(results.filter((r) => r.outcome === 'duplicate').map((r) => r.line)).toEqual(['7', '1202']);
    expect(await invitationsTo(GALA)).toHaveLength(1995);

    const again = await run(args);

    expect(again.code, again.stderr).toBe(4);
    expect(again.stdout).toContain('0 created, 2 duplicate, 3 invalid, 1995 already imported by an earlier run');
    expect(await invitationsTo(GALA)).toHaveLength(1995);
  });

  it('an import killed after its first batch and run again invites every row exactly once', async () => {
    const target = 'https://example.com/e/hall';
    const emails = Array.from({ length: 1000 }, (_, i) => `visitor${i}@example.net`);
    const file = csvFile(home.dir, 'visitors.csv', ['email', ...emails]);
    const args = [
      'import',
      file,
      '--batch-size',
      '25',
      '--target-type',
      'event',
      '--target-iri',
      target,
      '--target-name',
      'Hall',
    ];

    const interrupted = home.start(args, asTenant());
    await interrupted.waitForStderr(/^usher import: \d+% of the file, 25 rows/m);
    const killed = await interrupted.kill();
    expect(killed.signal).toBe('SIGKILL');
    const partial = (await invitationsTo(target)).length;
    expect(partial).toBeGreaterThanOrEqual(25);
    expect(partial).toBeLessThan(1000);

    const rerun = await run(args);

    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/: \d+ created, 0 duplicate, 0 invalid, \d+ already imported by an earlier run$/m);
    const invited = (await invitationsTo(target)).map((i) => i.recipient.email);
    expect(invited).toHaveLength(1000);
    expect(new Set(invited)).toEqual(new Set(emails));
  });
});
