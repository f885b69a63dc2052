import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, startServerProcess, type RunningUsher } from './process';

const run = promisify(execFile);

/** examples/host-app: the application an adopter copies. */
export const HOST_APP_DIR = join(PROJECT_ROOT, 'examples', 'host-app');

const tsc = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');

/**
 * Puts the built SDK where `npm install` puts `@usher/sdk` for the example (node_modules/@usher/sdk: its
 * package.json, README, licence and dist/), so the example imports it by name and Node resolves it through
 * the package's `exports`, as for any adopter. Built into the example's own node_modules, not into
 * packages/sdk/dist, which the SDK package suite's `npm pack` empties and rebuilds while other suites run.
 */
export async function installSdkIntoExample(): Promise<void> {
  const sdk = join(PROJECT_ROOT, 'packages', 'sdk');
  const installed = join(HOST_APP_DIR, 'node_modules', '@usher', 'sdk');
  await rm(installed, { recursive: true, force: true });
  await mkdir(installed, { recursive: true });
  const files = ['package.json', 'README.md', 'LICENSE'];
  await Promise.all(files.map((file) => copyFile(join(sdk, file), join(installed, file))));
  await run(tsc, ['-p', join(sdk, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')], { timeout: 60_000 });
}

/** `npm run typecheck` in the example: its code against the built SDK's declarations, under NodeNext. */
export async function typecheckExample(): Promise<void> {
  try {
    await run(tsc, ['-p', join(HOST_APP_DIR, 'tsconfig.json')], { timeout: 60_000 });
  } catch (error) {
    throw new Error(`the example does not type-check:\n${(error as { stdout?: string }).stdout ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Where the example finds Usher and keeps its own SQLite file. */
export interface HostAppOptions {
  readonly usherUrl: string;
  readonly apiKey: string;
  readonly databasePath: string;
}

/** `npm start` in examples/host-app on a free port of 127.0.0.1; resolves once it prints where it listens. */
export function startHostApp(options: HostAppOptions): Promise<RunningUsher> {
  return startServerProcess({
    argv: ['npm', 'start', '--silent'],
    cwd: HOST_APP_DIR,
    env: {
      // node_modules/.bin first: its `node` is Node 22, which runs the example's TypeScript as it is.
      PATH: [join(PROJECT_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      USHER_URL: options.usherUrl,
      USHER_API_KEY: options.apiKey,
      HOST: '127.0.0.1',
      PORT: '0',
      HOST_APP_DB: options.databasePath,
    },
    ready: /^Host app listening on (http:\/\/127\.0\.0\.1:\d+) /m,
  });
}
