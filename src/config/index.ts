import { dirname, join } from 'node:path';
import { isPostgresUrl } from './database-url';
import { DEFAULT_CLIENT_LIMITS, trustedProxyList, type ClientLimitSettings } from '#limits';
import { CONFIG_CACHE_MS } from '#db/short-memory';

/** The typed, frozen configuration of one Usher process, read once from the environment. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Base of every link, actor IRI and DIDComm endpoint, without a trailing slash. */
  readonly publicUrl: string;
  /** True when USHER_PUBLIC_URL was not set, so the URL follows the port actually bound (PORT=0). */
  readonly publicUrlIsDerived: boolean;
  readonly bootstrapApiKey: string | undefined;
  /** The name of the tenant (and its default identity) made on first start: what invitation emails say invites. */
  readonly tenantName: string;
  readonly smtpUrl: string | undefined;
  /** The From address of invitation emails; the tenant's name is shown in front of it. */
  readonly smtpFrom: string;
  /** Whether this process drains the outbox. Turn off for API-only processes. */
  readonly runWorker: boolean;
  /** How long a claim on an outbox row holds (renewed while it is sent): a dead worker's rows wait this long. */
  readonly outboxLeaseMs: number;
  /** Lets outgoing requests reach loopback and private addresses (tests, local federation). */
  readonly allowPrivateNetwork: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How often pending invitations past their expiry are swept to `expired`, in ms. */
  readonly sweepIntervalMs: number;
  /**
   * After SIGTERM or SIGINT: how long the process keeps answering (every response `Connection: close`,
   * `/readyz` 503) so a load balancer moves traffic off before the listener closes, in ms.
   */
  readonly shutdownDrainMs: number;
  /** After SIGTERM or SIGINT: the deadline by which the process has exited, drain included, in ms. */
  readonly shutdownTimeoutMs: number;
  /** Whether this process applies pending migrations at start; off, it refuses to start on an old schema. */
  readonly migrateOnStart: boolean;
  /**
   * PostgreSQL: whether repeated statements are prepared once per connection. Off only behind a pooler that cannot
   * carry named statements across its server connections (PgBouncer before 1.21 in transaction mode).
   */
  readonly postgresPreparedStatements: boolean;
  /**
   * PostgreSQL: the most connections this process opens. Fewer than the requests in flight cost PostgreSQL less CPU
   * a request where its cores are few (bench/micro/pg-store-ab.ts pool); the sum over processes must fit
   * `max_connections`.
   */
  readonly postgresPoolSize: number;
  /**
   * Requests a process works on at once (USHER_MAX_CONCURRENT_REQUESTS, 0: no limit); the others wait their turn
   * before their bodies are read (http/admission.ts). Unset: the pool size on PostgreSQL, no limit on SQLite, whose
   * group commit gathers more writes into a transaction the more requests are in flight.
   */
  readonly maxConcurrentRequests: number | undefined;
  /**
   * How long an API key, a tenant's inviter, signing key and webhook endpoints are believed without reading them
   * again (USHER_CONFIG_CACHE_MS, 0–60,000, 1,000 by default; 0 reads them on every request): a change made through
   * another process takes effect within it.
   */
  readonly configCacheMs: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <this value>`. */
  readonly metricsToken: string | undefined;
  /**
   * Finished outbox rows, delivery attempts, mailbox messages and held DIDComm messages older than this are pruned; 0
   * keeps them.
   */
  readonly retentionDays: number;
  /** The secret invitation links are derived from (USHER_LINK_SECRET); undefined: read or create `linkSecretFile`. */
  readonly linkSecret: string | undefined;
  /** Where the link secret lives when USHER_LINK_SECRET is unset; created (mode 0600) on first start. */
  readonly linkSecretFile: string;
  /** Per-client limits of anonymous callers, and the proxies whose X-Forwarded-For names the client. */
  readonly clientLimits: ClientLimitSettings;
}

/** A configuration value that cannot be used; `main.ts` prints it and exits non-zero. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const port = readPort(env.PORT);
  const host = nonEmpty(env.HOST) ?? '127.0.0.1';
  const databaseUrl = readDatabaseUrl(nonEmpty(env.USHER_DATABASE_URL) ?? 'sqlite:./data/usher.db');
  const publicUrl = readPublicUrl(nonEmpty(env.USHER_PUBLIC_URL) ?? `http://${hostForUrl(host)}:${port}`);
  const bootstrapApiKey = nonEmpty(env.USHER_BOOTSTRAP_API_KEY);
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 24) {
    throw new ConfigError('USHER_BOOTSTRAP_API_KEY', 'must be at least 24 characters, it guards the whole tenant');
  }
  const smtpUrl = nonEmpty(env.USHER_SMTP_URL);
  if (smtpUrl !== undefined) {
    const protocol = parseUrl('USHER_SMTP_URL', smtpUrl).protocol;
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError('USHER_SMTP_URL', `expected smtp:// or smtps://, got "${protocol}"`);
    }
  }
  // Docker and systemd send SIGKILL 10 s after SIGTERM by default; both defaults end inside that.
  const shutdownDrainMs = readInteger('USHER_SHUTDOWN_DRAIN_MS', env.USHER_SHUTDOWN_DRAIN_MS, 5_000, 0, 600_000);
  const shutdownTimeoutMs = readInteger(
    'USHER_SHUTDOWN_TIMEOUT_MS',
    env.USHER_SHUTDOWN_TIMEOUT_MS,
    9_000,
    1_000,
    900_000,
  );
  if (shutdownTimeoutMs <= shutdownDrainMs) {
    throw new ConfigError(
      'USHER_SHUTDOWN_TIMEOUT_MS',
      `must be longer than USHER_SHUTDOWN_DRAIN_MS (${shutdownDrainMs}), got ${shutdownTimeoutMs}`,
    );
  }
  const metricsToken = nonEmpty(env.USHER_METRICS_TOKEN);
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('USHER_METRICS_TOKEN', 'must be at least 16 characters');
  }
  const linkSecret = nonEmpty(env.USHER_LINK_SECRET);
  if (linkSecret !== undefined && linkSecret.length < 32) {
    throw new ConfigError(
      'USHER_LINK_SECRET',
      'must be at least 32 characters, every invitation link is derived from it',
    );
  }
  return Object.freeze({
    port,
    host,
    databaseUrl,
    publicUrl,
    publicUrlIsDerived: nonEmpty(env.USHER_PUBLIC_URL) === undefined,
    bootstrapApiKey,
    tenantName: readTenantName(env.USHER_TENANT_NAME),
    smtpUrl,
    smtpFrom: readFrom(nonEmpty(env.USHER_SMTP_FROM), publicUrl),
    runWorker: readBoolean('USHER_RUN_WORKER', env.USHER_RUN_WORKER, true),
    outboxLeaseMs: readInteger('USHER_OUTBOX_LEASE_MS', env.USHER_OUTBOX_LEASE_MS, 10_000, 1_000),
    allowPrivateNetwork: readBoolean('USHER_ALLOW_PRIVATE_NETWORK', env.USHER_ALLOW_PRIVATE_NETWORK, false),
    logLevel: readEnum('USHER_LOG_LEVEL', env.USHER_LOG_LEVEL, LOG_LEVELS, 'info'),
    sweepIntervalMs: readInteger('USHER_SWEEP_INTERVAL_MS', env.USHER_SWEEP_INTERVAL_MS, 60_000, 1_000),
    shutdownDrainMs,
    shutdownTimeoutMs,
    migrateOnStart: readBoolean('USHER_MIGRATE_ON_START', env.USHER_MIGRATE_ON_START, true),
    postgresPreparedStatements: readBoolean(
      'USHER_POSTGRES_PREPARED_STATEMENTS',
      env.USHER_POSTGRES_PREPARED_STATEMENTS,
      true,
    ),
    postgresPoolSize: readInteger('USHER_POSTGRES_POOL_SIZE', env.USHER_POSTGRES_POOL_SIZE, 10, 1, 1_000),
    maxConcurrentRequests:
      nonEmpty(env.USHER_MAX_CONCURRENT_REQUESTS) === undefined
        ? undefined
        : readInteger('USHER_MAX_CONCURRENT_REQUESTS', env.USHER_MAX_CONCURRENT_REQUESTS, 0, 0, 100_000),
    configCacheMs: readInteger('USHER_CONFIG_CACHE_MS', env.USHER_CONFIG_CACHE_MS, CONFIG_CACHE_MS, 0, 60_000),
    metricsToken,
    retentionDays: readInteger('USHER_RETENTION_DAYS', env.USHER_RETENTION_DAYS, 30, 0, 36_500),
    linkSecret,
    linkSecretFile: nonEmpty(env.USHER_LINK_SECRET_FILE) ?? defaultLinkSecretFile(databaseUrl),
    clientLimits: readClientLimits(env),
  });
}

/** USHER_TRUSTED_PROXIES (comma-separated addresses or CIDR blocks) and USHER_CLIENT_LIMIT_* (a minute; 0: off). */
function readClientLimits(env: Readonly<Record<string, string | undefined>>): ClientLimitSettings {
  const trustedProxies = (nonEmpty(env.USHER_TRUSTED_PROXIES) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    trustedProxyList(trustedProxies);
  } catch (error) {
    throw new ConfigError('USHER_TRUSTED_PROXIES', (error as Error).message);
  }
  const defaults = DEFAULT_CLIENT_LIMITS.perMinute;
  const perMinute = (name: string, fallback: number) =>
    readInteger(`USHER_CLIENT_LIMIT_${name}`, env[`USHER_CLIENT_LIMIT_${name}`], fallback, 0, 1_000_000);
  return Object.freeze({
    trustedProxies: Object.freeze(trustedProxies),
    perMinute: Object.freeze({
      public: perMinute('PUBLIC', defaults.public),
      signIn: perMinute('SIGN_IN', defaults.signIn),
      didcomm: perMinute('DIDCOMM', defaults.didcomm),
      inbox: perMinute('INBOX', defaults.inbox),
    }),
  });
}

function readTenantName(raw: string | undefined): string {
  const name = nonEmpty(raw) ?? 'Default';
  // The API's own bound for a tenant's name (CreateTenantSchema).
  if (name.length > 200) throw new ConfigError('USHER_TENANT_NAME', `at most 200 characters, got ${name.length}`);
  return name;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readPort(raw: string | undefined): number {
  // 0 asks the OS for a free port: tests and side-by-side processes use it.
  return readInteger('PORT', raw, 8080, 0, 65535);
}

function readInteger(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a whole number, got "${value}"`);
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

function readBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function readEnum<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function readDatabaseUrl(value: string): string {
  if (value.startsWith('sqlite:')) {
    if (value.slice('sqlite:'.length).trim() === '')
      throw new ConfigError('USHER_DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/usher.db');
    return value;
  }
  if (isPostgresUrl(value)) {
    parseUrl('USHER_DATABASE_URL', value);
    return value;
  }
  throw new ConfigError('USHER_DATABASE_URL', `expected sqlite:<path> or postgres://…, got "${value}"`);
}

/** Beside the SQLite file, so a copy of the data directory keeps both; ./data for PostgreSQL (and :memory:). */
function defaultLinkSecretFile(databaseUrl: string): string {
  const path = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : ':memory:';
  const directory = path === ':memory:' ? './data' : dirname(path);
  return join(directory, 'usher-link.secret');
}

function readPublicUrl(value: string): string {
  const url = parseUrl('USHER_PUBLIC_URL', value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('USHER_PUBLIC_URL', `expected an http(s) URL, got "${value}"`);
  }
  if (url.search || url.hash) throw new ConfigError('USHER_PUBLIC_URL', 'must not carry a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function parseUrl(name: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(name, `not a valid URL: "${value}"`);
  }
}

function readFrom(value: string | undefined, publicUrl: string): string {
  if (value === undefined) return `no-reply@${new URL(publicUrl).hostname}`;
  const address = /<([^>]+)>\s*$/.exec(value)?.[1] ?? value;
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address))
    throw new ConfigError('USHER_SMTP_FROM', `expected an email address, got "${value}"`);
  return value;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
