import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// `yaml` (a devDependency) parses Compose's merge keys.
import { parse } from 'yaml';
import { loadConfig } from '#config';
import { execForm, healthcheckCommand, readDockerfile } from '#support/dockerfile';
import { PROJECT_ROOT } from '#support/process';
import { startNodeOptions } from '../src/start-options.mjs';

// The deployment files checked against the code they run, so neither can drift from the other: what the
// Dockerfile's last stage runs, which variables compose.yaml and the systemd unit set, and whether the
// configuration accepts them. scripts/container-check.sh and test/production-entry.test.ts run the entry itself.

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');

/** The node options `npm start` runs the server with (source maps, V8's heap caps): services run the same. */
const START_OPTIONS = startNodeOptions(pathToFileURL(join(PROJECT_ROOT, 'package.json'))).join(' ');

/** The variables src/config/index.ts reads, taken from its source. */
const CONFIG_VARIABLES = new Set(
  [...read('src/config/index.ts').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!),
);

/** Compose's `${NAME:-default}` and `${NAME}` as an empty environment would interpolate them. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_, fallback: string | undefined) => fallback ?? '');
}

/** Compose durations such as `15s`, `1m30s` or `500ms`, in ms. */
function durationMs(value: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h)/g)];
  expect(parts.map((part) => part[0]).join(''), `a duration: ${value}`).toBe(value);
  return parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2]!]!, 0);
}

describe('the Dockerfile', () => {
  const instructions = readDockerfile();
  const lastStage = Math.max(...instructions.map((instruction) => instruction.stage));
  const runtime = instructions.filter((instruction) => instruction.stage === lastStage);
  const args = (keyword: string) => runtime.filter((instruction) => instruction.keyword === keyword).map((i) => i.args);

  it('builds in one stage and runs from another, on a Node 22 base pinned by major version', () => {
    expect(lastStage).toBeGreaterThanOrEqual(2);
    const build = instructions.filter((instruction) => instruction.stage < lastStage).map((i) => i.args);
    expect(build.some((line) => /\bnpm ci\b/.test(line))).toBe(true);
    expect(build.some((line) => /\bnpm run build\b/.test(line))).toBe(true);
    expect(args('COPY').some((line) => /--from=\S+ \S*dist\b/.test(line))).toBe(true);
    expect(args('RUN').some((line) => /\bnpm ci\b.*--omit=dev/.test(line))).toBe(true);
    const base = instructions.find(({ keyword, args }) => keyword === 'ARG' && args.startsWith('NODE_IMAGE='));
    expect(base?.args).toMatch(/^NODE_IMAGE=node:22-[a-z]+-slim$/);
  });

  it('runs node dist/main.js in exec form as a user other than root', () => {
    const users = args('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const command = execForm(args('CMD').at(-1) ?? '');
    expect(command?.[0]).toBe('node');
    expect(command?.at(-1)).toBe('dist/main.js');
    expect(command?.slice(1, -1).join(' ')).toBe(START_OPTIONS);
    expect(runtime.some((instruction) => instruction.keyword === 'ENTRYPOINT')).toBe(false);
  });

  it('runs the CLI from the bundle too: of the sources only what bin/usher.js imports, usher on PATH', () => {
    const copied = args('COPY').map((line) => line.split(' ').at(-2)!);
    // bin/usher.js's own imports (the Node check, the staleness check) are all it needs beside dist/.
    const imports = [...read('bin/usher.js').matchAll(/import\(?\s*(?:.* from )?'\.\.\/([^']+)'/g)].map((m) => m[1]!);
    expect(imports).toEqual(expect.arrayContaining(['src/node-version.mjs', 'scripts/build.mjs', 'dist/cli.js']));
    for (const path of imports.filter((path) => !path.startsWith('dist/'))) expect(copied, path).toContain(path);
    expect(copied).toContain('bin');
    const isSource = (path: string) => ['src', 'tsconfig.json'].includes(path) || path.startsWith('packages/sdk/src');
    expect(copied.filter(isSource)).toEqual([]);
    const onPath = /\bln -s \/app\/bin\/usher\.js \/usr\/local\/bin\/usher\b/;
    expect(args('RUN').some((line) => onPath.test(line))).toBe(true);
    // The CLI's bundle takes the workspace SDK's source in, so the build stage has it.
    const build = instructions.filter((instruction) => instruction.stage < lastStage && instruction.keyword === 'COPY');
    expect(build.map((instruction) => instruction.args)).toContain('packages/sdk/src packages/sdk/src');
  });

  it('checks health with node on /readyz, keeps the SQLite store in a volume, and sets only known variables', () => {
    const healthcheck = healthcheckCommand(instructions);
    expect(healthcheck[0]).toBe('node');
    expect(healthcheck.join(' ')).toContain('/readyz');
    expect(args('VOLUME')).toContain('/data');
    const pairs = args('ENV').flatMap((line) => [...line.matchAll(/(\w+)=(\S+)/g)]);
    const env = Object.fromEntries(pairs.map((pair) => [pair[1]!, pair[2]!]));
    expect(env.USHER_DATABASE_URL).toMatch(/^sqlite:\/data\//);
    expect(env.HOST).toBe('0.0.0.0');
    for (const name of Object.keys(env).filter((key) => key.startsWith('USHER_'))) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('compose.yaml', () => {
  interface Service {
    image?: string;
    command?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    stop_grace_period?: string;
  }
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);
  const usher = services.filter(([, service]) => service.image === 'usher:local');
  const servers = usher.filter(([, service]) => service.command === undefined);
  const environment = (service: Service) =>
    Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]),
    );

  it('sets only variables the configuration reads, to values it accepts', () => {
    expect(usher.length).toBeGreaterThanOrEqual(4);
    for (const [name, service] of usher) {
      const env = environment(service);
      for (const variable of Object.keys(env).filter((key) => key.startsWith('USHER_'))) {
        expect(CONFIG_VARIABLES, `${name} sets ${variable}`).toContain(variable);
      }
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('migrates once, in a service of its own, before web processes and a worker that do not migrate', () => {
    const migrations = usher.filter(([, service]) => service.command?.includes('migrate'));
    expect(migrations.map(([name]) => name)).toEqual(['migrate']);
    const [[, migrate]] = migrations as [[string, Service]];
    expect(migrate.command).toEqual(['node', 'bin/usher.js', 'migrate']);
    expect(Object.values(migrate.depends_on ?? {}).map((d) => d.condition)).toEqual(['service_healthy']);

    const workers = servers.filter(([, service]) => loadConfig(environment(service)).runWorker);
    expect(workers.length).toBe(1);
    expect(servers.length - workers.length).toBeGreaterThanOrEqual(2);
    for (const [name, service] of servers) {
      expect(loadConfig(environment(service)).migrateOnStart, name).toBe(false);
      expect(service.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('gives every process one link secret: the same file on a shared volume, or USHER_LINK_SECRET', () => {
    const files = new Set(servers.map(([, service]) => loadConfig(environment(service)).linkSecretFile));
    expect(files.size).toBe(1);
    const [file] = [...files] as [string];
    for (const [name, service] of servers) {
      const mounts = ((service as { volumes?: string[] }).volumes ?? []).map((volume) => volume.split(':'));
      const mount = mounts.find(([, target]) => file.startsWith(`${target}/`));
      expect(mount, `${name} mounts the directory of ${file}`).toBeDefined();
      expect((compose as { volumes?: Record<string, unknown> }).volumes, name).toHaveProperty(mount![0]!);
    }
  });

  it('waits longer than the shutdown deadline before killing a process, and depends only on services it has', () => {
    for (const [name, service] of servers) {
      const grace = durationMs(service.stop_grace_period ?? '10s');
      expect(grace, name).toBeGreaterThan(loadConfig(environment(service)).shutdownTimeoutMs);
    }
    for (const [name, service] of services) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, name).toHaveProperty(dependency);
      }
    }
  });
});

describe('deploy/usher.service', () => {
  const settings = new Map<string, string[]>();
  for (const line of read('deploy/usher.service').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  const one = (key: string) => settings.get(key)?.at(-1);

  it('runs node dist/main.js directly, as a dedicated user, with its settings from a file', () => {
    expect(one('Type')).toBe('simple');
    expect(one('ExecStart')).toMatch(/\/node( --[a-z-]+(=\S+)?)* dist\/main\.js$/);
    expect(/\/node((?: --\S+)*) dist\/main\.js$/.exec(one('ExecStart')!)![1]!.trim()).toBe(START_OPTIONS);
    expect(one('User')).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(one('User')).not.toBe('root');
    expect(settings.get('EnvironmentFile')?.length).toBeGreaterThan(0);
  });

  it('sends SIGTERM and waits past the shutdown deadline, restarts on failure but not on a bad configuration', () => {
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(Number(one('TimeoutStopSec')) * 1_000).toBeGreaterThan(loadConfig({}).shutdownTimeoutMs);
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('2');
  });

  it('is hardened: a read-only system but for its data directory, and no privileges to gain', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ReadWritePaths')).toBe('/var/lib/usher');
    expect(one('MemoryDenyWriteExecute')).toBeUndefined();
  });

  it('keeps the link secret file in its writable data directory, whatever the database', () => {
    const env = Object.fromEntries((settings.get('Environment') ?? []).map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(
      loadConfig({ ...env, USHER_DATABASE_URL: 'postgres://localhost/usher' }).linkSecretFile.startsWith(
        `${one('ReadWritePaths')}/`,
      ),
    ).toBe(true);
  });
});
