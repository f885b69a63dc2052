import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';

const run = promisify(execFile);
afterAll(stopAllUshers);

// The SDK as a stranger gets it: `npm pack`, installed from the tarball into an empty project, compiled by tsc
// under NodeNext (the strictest resolution: it checks the exports map and the package's own import paths) and
// run by plain node, with no tsx or bundler to paper over a package that only works inside this repository.
const program = `
import { createUsherClient, paginate, unwrap, UsherError, type Schemas } from '@usher/sdk';

// Without @types/node: the package must not need it.
declare const process: { env: Record<string, string | undefined> };

const usher = createUsherClient({ baseUrl: process.env.USHER_URL!, apiKey: process.env.USHER_API_KEY });
const created: Schemas['Invitation'] = await unwrap(
  usher.POST('/v1/invitations', {
    body: {
      recipient: { email: 'ann@example.com', name: 'Ann' },
      target: { type: 'project', iri: 'https://example.com/p/apollo', name: 'Apollo' },
      role: 'contributor',
    },
  }),
);
// Proves the paths are typed, not any: an unknown path must not compile.
// @ts-expect-error
void usher.GET('/v1/no-such-path');
const page = await unwrap(usher.GET('/v1/invitations', { params: { query: { limit: 10 } } }));
const all: string[] = [];
for await (const item of paginate((cursor) => usher.GET('/v1/invitations', { params: { query: { cursor } } }))) {
  all.push(item.id);
}
let problem: string | undefined;
try {
  await unwrap(usher.GET('/v1/invitations/{id}', { params: { path: { id: 'inv_missing' } } }));
} catch (error) {
  if (error instanceof UsherError) problem = \`\${error.status} \${error.code}\`;
}
console.log(JSON.stringify({ created: created.id, listed: page.data.map((item) => item.id), all, problem }));
`;

const compilerOptions = {
  target: 'ES2022',
  lib: ['ES2023', 'DOM'],
  strict: true,
  types: [],
  skipLibCheck: false,
};

/** `cmd args…` in `cwd` without the test runner's loaders; stdout, or an error carrying both streams. */
async function sh(cwd: string, cmd: string, args: string[]): Promise<string> {
  const env = { ...process.env, NODE_OPTIONS: '' };
  try {
    const { stdout } = await run(cmd, args, { cwd, env, timeout: 120_000, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

describe('@usher/sdk packed and installed into a fresh project', () => {
  let dir: string;
  let project: string;
  let scratch: ScratchDatabase;
  let usher: RunningUsher;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usher-sdk-package-'));
    project = join(dir, 'project');
    await mkdir(project);
    scratch = await createScratchDatabase('sqlite');
    usher = await startUsher({ databaseUrl: scratch.url });
    await sh(join(PROJECT_ROOT, 'packages/sdk'), 'npm', ['pack', '--pack-destination', dir]);
    const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack left no tarball in ${dir}`);
    const manifest = { name: 'sdk-consumer', private: true, type: 'module' };
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest));
    await sh(project, 'npm', ['install', join(dir, tarball), '--prefer-offline', '--no-audit', '--no-fund']);
    await writeFile(join(project, 'main.ts'), program);
  }, 240_000);
  afterAll(async () => {
    await usher?.stop();
    await scratch?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships only the built JavaScript, its declarations, the README and the licence', async () => {
    const files = (await readdir(join(project, 'node_modules/@usher/sdk'), { recursive: true })).sort();
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('compiles under NodeNext resolution, runs under plain node: creates, lists, throws a problem', async () => {
    const nodeNext = { module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' };
    const tsconfig = { compilerOptions: { ...compilerOptions, ...nodeNext }, files: ['main.ts'] };
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    await sh(project, join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json']);

    const env = { ...process.env, NODE_OPTIONS: '', USHER_URL: usher.url, USHER_API_KEY: TEST_BOOTSTRAP_KEY };
    const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: project, env, timeout: 30_000 });
    const result = JSON.parse(stdout) as { created: string; listed: string[]; all: string[]; problem?: string };
    expect(result.created).toMatch(/\S/);
    expect(result.listed).toContain(result.created);
    expect(result.all).toEqual([result.created]);
    expect(result.problem).toMatch(/^404 \w+/);
  }, 120_000);

  it('type-checks under moduleResolution Bundler too', async () => {
    const bundler = { module: 'ESNext', moduleResolution: 'Bundler', noEmit: true };
    const tsconfig = { compilerOptions: { ...compilerOptions, ...bundler }, files: ['main.ts'] };
    await writeFile(join(project, 'tsconfig.bundler.json'), JSON.stringify(tsconfig));
    await sh(project, join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.bundler.json']);
  }, 120_000);
});
