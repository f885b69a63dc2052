import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import pino from 'pino';
import { createApp, type AppDeps } from '#app';
import { composeServices } from '#services';
import { systemClock } from '#common/clock';
import { ConfigError, loadConfig, type Config } from '#config';
import { describeSchemaMismatch, isDatabaseUnavailable, migrateToLatest, openStore, schemaStatus } from '#db';
import { createMailboxMailer, createSmtpMailer } from '#delivery';
import { displayDatabaseUrl } from '#db/display-url';
import { createAdmission } from '#http/admission';
import { createDrain } from '#http/drain';
import { listenRefusal } from '#http/listen-refusal';
import { pruneExpiredProofs, pruneIdempotencyKeys, pruneQuotaWindows } from '#invitations';
import { pruneSessions } from '#web';
import { pruneKv } from '#activitypub';
import { pruneRateLimitWindows } from '#tenants';
import { pruneClientLimits } from '#limits';
import { bootstrapFirstTenant } from './bootstrap';
import { loadLinkSecret } from './link-secret';
import { startBanner } from './start-banner';

// dist/server.js and src/server.ts both sit one level below the project root.
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/**
 * A request waits its turn at most a second: long enough that under the bench's hundred connections on ten turns
 * (about 0.1 s of waiting) none is let in early, short enough that a request waiting on another to this process is
 * not stuck behind it for long.
 */
const ADMISSION_MAX_WAIT_MS = 1_000;
const OUTSIDE_ADMISSION = new Set(['/healthz', '/readyz', '/metrics']);

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`usher: bad configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * The process: config → store (migrated) → the socket → the first tenant → services (composeServices,
 * the composition root) → app (routes over them) → background work (worker, sweep) → signals. The
 * socket is bound before the services only because with PORT=0 the public URL they are built
 * with is known once the OS has picked the port; requests before then wait for `app`.
 */
async function main(): Promise<void> {
  const config = readConfig();
  // The log is JSON lines on stdout, one object a line, so a collector can parse every line; what a person
  // reads at start (the banner) goes to stderr.
  const log = pino({ level: config.logLevel, base: { service: 'usher' } });
  const store = openStore(config.databaseUrl, {
    onConnectionError: (error) => log.warn({ reason: error.message }, 'database connection dropped'),
    preparedStatements: config.postgresPreparedStatements,
    poolSize: config.postgresPoolSize,
  });
  /** Something to set right, not a crash: one line on stderr and exit 2, as a bad configuration gets. */
  const refuseToStart = async (reason: string): Promise<never> => {
    process.stderr.write(`usher: ${reason}\n`);
    await store.close();
    process.exit(2);
  };
  // With USHER_MIGRATE_ON_START=false, `usher migrate` is a deployment step and processes only check.
  const mismatch = config.migrateOnStart
    ? await migrateToLatest(store.db).then(() => null)
    : describeSchemaMismatch(await schemaStatus(store.db));
  if (mismatch) await refuseToStart(mismatch);
  const linkSecret = loadLinkSecret(config);
  const logAtLevelOf = (error: unknown) => (isDatabaseUnavailable(error) ? log.warn : log.error).bind(log);
  const storeName =
    store.engine === 'sqlite'
      ? `SQLite ${config.databaseUrl.slice('sqlite:'.length)}`
      : `PostgreSQL ${displayDatabaseUrl(config.databaseUrl)}`;

  // Bind first: with PORT=0 the public URL is known only once the OS has picked the port.
  let app: ReturnType<typeof createApp> | undefined;
  const limit = config.maxConcurrentRequests ?? (store.engine === 'postgres' ? config.postgresPoolSize : 0);
  const admission = limit > 0 ? createAdmission({ limit, maxWaitMs: ADMISSION_MAX_WAIT_MS }) : undefined;
  const server = serve({
    // What a load balancer or a scraper asks answers at once, however many requests wait their turn.
    fetch: admission
      ? (request, env: HttpBindings | Http2Bindings) =>
          OUTSIDE_ADMISSION.has(env.incoming.url?.split('?', 1)[0] ?? '')
            ? app!.fetch(request, env)
            : admission.admit(async () => app!.fetch(request, env))
      : (request, env) => app!.fetch(request, env),
    port: config.port,
    hostname: config.host,
  });
  const drain = createDrain(server, config.shutdownDrainMs);
  const refused = await new Promise<string | null>((resolve) => {
    const refuse = (error: NodeJS.ErrnoException) => resolve(listenRefusal(error, config.host, config.port));
    server.once('error', refuse);
    server.once('listening', () => {
      server.off('error', refuse);
      resolve(null);
    });
  });
  // A port someone else holds (a second npm start), a port below 1024, a HOST of another machine.
  if (refused) await refuseToStart(refused);
  // The first tenant is made once the port is ours: its random key is shown only in the banner, so a start that could
  // not listen must not have made it.
  const created = await bootstrapFirstTenant(store.db, config.bootstrapApiKey, systemClock.now(), config.tenantName);
  if (!created && config.bootstrapApiKey) {
    log.warn({ store: storeName }, 'USHER_BOOTSTRAP_API_KEY ignored: the store already has a tenant');
  }
  const port = (server.address() as AddressInfo).port;
  const publicUrl = config.publicUrlIsDerived ? config.publicUrl.replace(/:\d+$/, `:${port}`) : config.publicUrl;

  const mailer = config.smtpUrl ? createSmtpMailer(config.smtpUrl) : createMailboxMailer(store.db, systemClock);
  const deps: AppDeps = {
    db: store.db,
    engine: store.engine,
    clock: systemClock,
    publicUrl,
    version,
    mailer,
    fromAddress: config.smtpFrom,
    allowPrivateNetwork: config.allowPrivateNetwork,
    // A database that cannot serve is an outage the process rides out (503s, the worker backs off), not a bug: warn.
    worker: {
      leaseMs: config.outboxLeaseMs,
      onError: (error) => logAtLevelOf(error)({ err: error }, 'outbox worker error'),
      // A channel that starts failing, keeps failing (at most once a minute) and recovers.
      onWarn: (fields, message) => log.warn(fields, message),
    },
    logError: (error, context) => logAtLevelOf(error)({ err: error, requestId: context?.requestId }, 'request failed'),
    logRequest: (entry) => log.info(entry, 'request'),
    isShuttingDown: () => drain.draining,
    metricsToken: config.metricsToken,
    linkSecret: linkSecret.secret,
    clientLimits: config.clientLimits,
    configCacheMs: config.configCacheMs,
    ...(admission ? { admission } : {}),
  };
  const services = composeServices(deps);
  app = createApp(services, deps);
  if (config.runWorker) services.worker.start();

  const sweep = setInterval(() => {
    services.invitations
      .sweepExpired()
      .then(() => pruneIdempotencyKeys(store.db, systemClock.now()))
      .then(() => pruneQuotaWindows(store.db, systemClock.now()))
      .then(() => pruneExpiredProofs(store.db, systemClock.now()))
      .then(() => pruneSessions(store.db, systemClock.now()))
      .then(() => pruneKv(store.db, systemClock.now()))
      .then(() => pruneRateLimitWindows(store.db, systemClock.now()))
      .then(() => pruneClientLimits(store.db, systemClock.now()))
      .then(() => services.pruneRetained(systemClock.now(), config.retentionDays))
      // What DIDComm mediators hold for us (RFC 0685) is collected on the same beat.
      .then(() =>
        services.didcomm.pickUpAll((error, mediatorId) =>
          log.warn({ err: error, mediatorId }, 'pickup from a DIDComm mediator failed'),
        ),
      )
      .catch((error: unknown) => log.error({ err: error }, 'expiry sweep failed'));
  }, config.sweepIntervalMs);
  sweep.unref();

  // Handlers go in before the banner: a supervisor may stop us the moment it sees "listening".
  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      // npm passes on the Ctrl-C the terminal already sent us: a repeat within a second is that echo. A later
      // one is a person who does not want to wait for the drain.
      if (Date.now() - stoppingSince < 1_000) return;
      log.warn({ signal }, 'second signal: exiting without waiting for the drain');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal, drainMs: config.shutdownDrainMs, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    if (process.stderr.isTTY && config.shutdownDrainMs > 0) {
      process.stderr.write(
        `\nStopping: answering for ${config.shutdownDrainMs / 1000} s more (USHER_SHUTDOWN_DRAIN_MS); press Ctrl-C again to stop at once.\n`,
      );
    }
    clearInterval(sweep);
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting with work unfinished');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    // The worker stops claiming at once and records what it sent; the HTTP side answers through the drain
    // window and every request it has read. The store closes when both are done.
    Promise.all([services.worker.stop(), drain.begin()])
      .then(() => mailer.close())
      .then(() => store.close())
      .then(() => {
        log.info({ signal, ms: Date.now() - stoppingSince! }, 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  if (linkSecret.origin === 'created')
    log.warn({ file: config.linkSecretFile }, 'created the link secret file: back it up with the database');
  log.info({ version, url: publicUrl, store: storeName, worker: config.runWorker }, 'listening');
  process.stderr.write(
    startBanner({
      version,
      publicUrl,
      storeName,
      smtpHost: config.smtpUrl ? new URL(config.smtpUrl).host : undefined,
      created,
      createdLinkSecretFile: linkSecret.origin === 'created' ? config.linkSecretFile : null,
      bootstrapKeyFromEnvironment: config.bootstrapApiKey !== undefined,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `usher: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
