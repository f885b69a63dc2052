import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#config';

const KEY = 'k'.repeat(32);

/** The ConfigError that loading `env` throws; fails the test when it loads or throws anything else. */
function refusalOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('falls back to the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/usher.db',
      publicUrl: 'http://127.0.0.1:8080',
      publicUrlIsDerived: true,
      bootstrapApiKey: undefined,
      tenantName: 'Default',
      smtpUrl: undefined,
      smtpFrom: 'no-reply@127.0.0.1',
      runWorker: true,
      outboxLeaseMs: 10_000,
      allowPrivateNetwork: false,
      logLevel: 'info',
      sweepIntervalMs: 60_000,
      shutdownDrainMs: 5_000,
      shutdownTimeoutMs: 9_000,
      migrateOnStart: true,
      postgresPreparedStatements: true,
      postgresPoolSize: 10,
      maxConcurrentRequests: undefined,
      configCacheMs: 1000,
      metricsToken: undefined,
      retentionDays: 30,
      linkSecret: undefined,
      linkSecretFile: 'data/usher-link.secret',
      clientLimits: { trustedProxies: [], perMinute: { public: 120, signIn: 10, didcomm: 300, inbox: 600 } },
    });
  });

  it('reads the trusted proxies and the per-client limits, 0 turning a limit off', () => {
    const config = loadConfig({
      USHER_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.0.2.7 ,fd00::/8',
      USHER_CLIENT_LIMIT_PUBLIC: '30',
      USHER_CLIENT_LIMIT_SIGN_IN: '0',
      USHER_CLIENT_LIMIT_DIDCOMM: '1000',
      USHER_CLIENT_LIMIT_INBOX: '5000',
    });
    expect(config.clientLimits).toEqual({
      trustedProxies: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'],
      perMinute: { public: 30, signIn: 0, didcomm: 1000, inbox: 5000 },
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '  ', HOST: '', USHER_DATABASE_URL: ' ', USHER_PUBLIC_URL: '' })).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/usher.db',
      publicUrlIsDerived: true,
    });
  });

  it('derives the public URL from the host and port it listens on', () => {
    expect(loadConfig({ PORT: '9000', HOST: '::1' }).publicUrl).toBe('http://[::1]:9000');
    expect(loadConfig({ PORT: '9000', HOST: '0.0.0.0' }).publicUrl).toBe('http://127.0.0.1:9000');
  });

  it('accepts port 0 so the OS can pick a free port', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('uses every explicit value it is given', () => {
    const config = loadConfig({
      PORT: '3000',
      HOST: '0.0.0.0',
      USHER_DATABASE_URL: 'postgres://usher:secret@db.example:5432/usher',
      USHER_PUBLIC_URL: 'https://invite.example.com/usher',
      USHER_BOOTSTRAP_API_KEY: KEY,
      USHER_TENANT_NAME: ' Apollo Labs ',
      USHER_SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      USHER_ALLOW_PRIVATE_NETWORK: 'true',
      USHER_LOG_LEVEL: 'debug',
      USHER_SWEEP_INTERVAL_MS: '5000',
      USHER_SMTP_FROM: 'Invitations <invites@example.com>',
      USHER_RUN_WORKER: 'false',
      USHER_OUTBOX_LEASE_MS: '15000',
      USHER_SHUTDOWN_DRAIN_MS: '0',
      USHER_SHUTDOWN_TIMEOUT_MS: '30000',
      USHER_MIGRATE_ON_START: 'false',
      USHER_POSTGRES_PREPARED_STATEMENTS: 'false',
      USHER_POSTGRES_POOL_SIZE: '4',
      USHER_CONFIG_CACHE_MS: '0',
      USHER_MAX_CONCURRENT_REQUESTS: '0',
      USHER_METRICS_TOKEN: 'metrics-token-0123456789',
      USHER_RETENTION_DAYS: '0',
      USHER_LINK_SECRET: 'l'.repeat(32),
      USHER_LINK_SECRET_FILE: '/run/secrets/usher-link',
    });
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'postgres://usher:secret@db.example:5432/usher',
      publicUrl: 'https://invite.example.com/usher',
      publicUrlIsDerived: false,
      bootstrapApiKey: KEY,
      tenantName: 'Apollo Labs',
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      smtpFrom: 'Invitations <invites@example.com>',
      runWorker: false,
      outboxLeaseMs: 15_000,
      allowPrivateNetwork: true,
      logLevel: 'debug',
      sweepIntervalMs: 5000,
      shutdownDrainMs: 0,
      shutdownTimeoutMs: 30_000,
      migrateOnStart: false,
      postgresPreparedStatements: false,
      postgresPoolSize: 4,
      maxConcurrentRequests: 0,
      configCacheMs: 0,
      metricsToken: 'metrics-token-0123456789',
      retentionDays: 0,
      linkSecret: 'l'.repeat(32),
      linkSecretFile: '/run/secrets/usher-link',
      clientLimits: { trustedProxies: [], perMinute: { public: 120, signIn: 10, didcomm: 300, inbox: 600 } },
    });
  });

  it('accepts postgresql://, a Unix socket directory and a sqlite path as database URLs', () => {
    expect(loadConfig({ USHER_DATABASE_URL: 'postgresql://localhost/usher' }).databaseUrl).toBe(
      'postgresql://localhost/usher',
    );
    const socket = 'postgres://usher@localhost/usher?host=/var/run/postgresql';
    expect(loadConfig({ USHER_DATABASE_URL: socket }).databaseUrl).toBe(socket);
    expect(loadConfig({ USHER_DATABASE_URL: 'sqlite:/var/lib/usher/usher.db' }).databaseUrl).toBe(
      'sqlite:/var/lib/usher/usher.db',
    );
  });

  it('keeps the link secret file beside the SQLite file, or in ./data for PostgreSQL', () => {
    expect(loadConfig({ USHER_DATABASE_URL: 'sqlite:/var/lib/usher/usher.db' }).linkSecretFile).toBe(
      '/var/lib/usher/usher-link.secret',
    );
    expect(loadConfig({ USHER_DATABASE_URL: 'postgres://localhost/usher' }).linkSecretFile).toBe(
      'data/usher-link.secret',
    );
    expect(loadConfig({ USHER_DATABASE_URL: 'sqlite::memory:' }).linkSecretFile).toBe('data/usher-link.secret');
  });

  it('removes the trailing slash from USHER_PUBLIC_URL', () => {
    expect(loadConfig({ USHER_PUBLIC_URL: 'https://invite.example.com/' }).publicUrl).toBe(
      'https://invite.example.com',
    );
    expect(loadConfig({ USHER_PUBLIC_URL: 'https://invite.example.com/usher/' }).publicUrl).toBe(
      'https://invite.example.com/usher',
    );
  });

  it('reads yes/no and 1/0 as booleans too', () => {
    expect(loadConfig({ USHER_ALLOW_PRIVATE_NETWORK: 'YES' }).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ USHER_ALLOW_PRIVATE_NETWORK: '0' }).allowPrivateNetwork).toBe(false);
  });

  it('returns a frozen config', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  describe('refuses a bad value and names its variable', () => {
    const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PORT', { PORT: '-1' }],
      ['USHER_DATABASE_URL', { USHER_DATABASE_URL: 'mysql://x' }],
      ['USHER_DATABASE_URL', { USHER_DATABASE_URL: 'sqlite:' }],
      ['USHER_PUBLIC_URL', { USHER_PUBLIC_URL: 'ftp://x' }],
      ['USHER_PUBLIC_URL', { USHER_PUBLIC_URL: 'not a url' }],
      ['USHER_PUBLIC_URL', { USHER_PUBLIC_URL: 'https://invite.example.com/?a=1' }],
      ['USHER_BOOTSTRAP_API_KEY', { USHER_BOOTSTRAP_API_KEY: 'too-short' }],
      ['USHER_TENANT_NAME', { USHER_TENANT_NAME: 'x'.repeat(201) }],
      ['USHER_SMTP_URL', { USHER_SMTP_URL: 'http://x' }],
      ['USHER_SMTP_URL', { USHER_SMTP_URL: 'not a url' }],
      ['USHER_ALLOW_PRIVATE_NETWORK', { USHER_ALLOW_PRIVATE_NETWORK: 'maybe' }],
      ['USHER_LOG_LEVEL', { USHER_LOG_LEVEL: 'loud' }],
      ['USHER_SWEEP_INTERVAL_MS', { USHER_SWEEP_INTERVAL_MS: '10' }],
      ['USHER_SMTP_FROM', { USHER_SMTP_FROM: 'not an address' }],
      ['USHER_RUN_WORKER', { USHER_RUN_WORKER: 'sometimes' }],
      ['USHER_OUTBOX_LEASE_MS', { USHER_OUTBOX_LEASE_MS: '5' }],
      ['USHER_SHUTDOWN_DRAIN_MS', { USHER_SHUTDOWN_DRAIN_MS: 'soon' }],
      ['USHER_SHUTDOWN_TIMEOUT_MS', { USHER_SHUTDOWN_DRAIN_MS: '10000', USHER_SHUTDOWN_TIMEOUT_MS: '10000' }],
      ['USHER_MIGRATE_ON_START', { USHER_MIGRATE_ON_START: 'later' }],
      ['USHER_POSTGRES_PREPARED_STATEMENTS', { USHER_POSTGRES_PREPARED_STATEMENTS: 'perhaps' }],
      ['USHER_POSTGRES_POOL_SIZE', { USHER_POSTGRES_POOL_SIZE: '0' }],
      ['USHER_POSTGRES_POOL_SIZE', { USHER_POSTGRES_POOL_SIZE: 'ten' }],
      ['USHER_MAX_CONCURRENT_REQUESTS', { USHER_MAX_CONCURRENT_REQUESTS: '-1' }],
      ['USHER_CONFIG_CACHE_MS', { USHER_CONFIG_CACHE_MS: '60001' }],
      ['USHER_METRICS_TOKEN', { USHER_METRICS_TOKEN: 'short' }],
      ['USHER_RETENTION_DAYS', { USHER_RETENTION_DAYS: '-1' }],
      ['USHER_LINK_SECRET', { USHER_LINK_SECRET: 'shorter-than-thirty-two' }],
      ['USHER_TRUSTED_PROXIES', { USHER_TRUSTED_PROXIES: '10.0.0.0/33' }],
      ['USHER_TRUSTED_PROXIES', { USHER_TRUSTED_PROXIES: 'proxy.internal' }],
      ['USHER_CLIENT_LIMIT_PUBLIC', { USHER_CLIENT_LIMIT_PUBLIC: 'lots' }],
      ['USHER_CLIENT_LIMIT_INBOX', { USHER_CLIENT_LIMIT_INBOX: '-5' }],
    ];

    it.each(cases)('names %s when given %j', (variable, env) => {
      const error = refusalOf(env);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
    });
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'abc';
    try {
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});
