import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { createApp } from '#app';
import { systemClock } from '#common/clock';
import { ConfigError, loadConfig, type Config } from '#config';
import { migrateToLatest, openStore } from '#db';
import { createMailboxMailer, createSmtpMailer } from '#delivery';
import { pruneIdempotencyKeys } from '#invitations';
import { pruneSessions } from '#web';
import { pruneKv } from '#activitypub';
import { pruneRateLimitWindows } from '#tenants';
import { bootstrapFirstTenant } from './bootstrap';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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

/** Composition root: config → store → services → app → server and background work. */
async function main(): Promise<void> {
  const config = readConfig();
  const log = pino({ level: config.logLevel, base: { service: 'usher' } });
  const store = openStore(config.databaseUrl, { onConnectionError: (error) => log.warn({ reason: error.message }, 'database connection dropped') });
  await migrateToLatest(store.db);
  const created = await bootstrapFirstTenant(store.db, config.bootstrapApiKey, systemClock.now());

  // Bind first: with PORT=0 the public URL is known only once the OS has picked the port.
  let app: ReturnType<typeof createApp>['app'] | undefined;
  const server = serve({ fetch: (request, env) => app!.fetch(request, env), port: config.port, hostname: config.host });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const publicUrl = config.publicUrlIsDerived ? config.publicUrl.replace(/:\d+$/, `:${port}`) : config.publicUrl;

  const mailer = config.smtpUrl ? createSmtpMailer(config.smtpUrl) : createMailboxMailer(store.db, systemClock);
  const built = createApp({
    db: store.db,
    engine: store.engine,
    clock: systemClock,
    publicUrl,
    version,
    mailer,
    fromAddress: config.smtpFrom,
    allowPrivateNetwork: config.allowPrivateNetwork,
    worker: {
      leaseMs: config.outboxLeaseMs,
      onError: (error) => log.error({ err: error }, 'outbox worker error'),
      onWarn: (fields, message) => log.warn(fields, message),
    },
    logError: (error, context) => log.error({ err: error, requestId: context?.requestId }, 'request failed'),
    logRequest: (entry) => log.info(entry, 'request'),
  });
  app = built.app;
  if (config.runWorker) built.worker.start();

  const sweep = setInterval(() => {
    built.invitations
      .sweepExpired()
      .then(() => pruneIdempotencyKeys(store.db, systemClock.now()))
      .then(() => pruneSessions(store.db, systemClock.now()))
      .then(() => pruneKv(store.db, systemClock.now()))
      .then(() => pruneRateLimitWindows(store.db, systemClock.now()))
      // What DIDComm mediators hold for us (RFC 0685) is collected on the same beat.
      .then(() => built.pickUpFromMediators((error, mediatorId) => log.warn({ err: error, mediatorId }, 'pickup from a DIDComm mediator failed')))
      .catch((error: unknown) => log.error({ err: error }, 'expiry sweep failed'));
  }, config.sweepIntervalMs);
  sweep.unref();

  // Handlers go in before the banner: a supervisor may stop us the moment it sees "listening".
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    clearInterval(sweep);
    // Stop accepting, let in-flight requests and deliveries finish, give back unstarted claims, close the store.
    server.close(() => {
      built.worker
        .stop()
        .then(() => mailer.close())
        .finally(() => store.close().finally(() => process.exit(0)));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const out = process.stdout;
  out.write(`Usher ${version} listening on ${publicUrl} (${store.engine}${store.engine === 'sqlite' ? ` ${config.databaseUrl.slice(7)}` : ''})\n`);
  if (created) {
    out.write(`\nFirst start: created tenant "${created.tenant.name}" with default identity ${created.identity.did}\n`);
    out.write(
      config.bootstrapApiKey
        ? '  Admin API key: the value of USHER_BOOTSTRAP_API_KEY\n'
        : `  Admin API key (shown once, only its hash is stored): ${created.apiKey.key}\n`,
    );
  }
  out.write(`  API reference: ${publicUrl}/docs\n`);
  out.write(`  OpenAPI:       ${publicUrl}/openapi.json\n`);
  out.write(`  Console:       ${publicUrl}/console (sign in with an API key)\n`);
  out.write(`  DIDComm:       ${publicUrl}/didcomm (out-of-band invitations, DID Exchange, Connections 1.0)\n`);
  out.write(`  ActivityPub:   identities are actors at ${publicUrl}/ap/users/<handle>, found by WebFinger\n`);
  out.write(config.smtpUrl ? `  Email:         over SMTP (${new URL(config.smtpUrl).host})\n` : `  Email:         no SMTP server configured; messages are kept in the local mailbox: GET ${publicUrl}/v1/mailbox\n`);
  if (created && !config.bootstrapApiKey) {
    out.write(`  Try:           curl -H "Authorization: Bearer ${created.apiKey.key}" ${publicUrl}/v1/invitations\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`usher: failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
