import type { AuditTrail } from '#audit';
import { afterAll, beforeAll } from 'vitest';
import { createUsher, type Usher } from '#usher';
import type { ServiceOptions } from '#services';
import { createManualClock } from '#common/clock';
import { newSecret } from '#common/secrets';
import { migrateToLatest, openStore, type Engine, type Store } from '#db';
import type { InvitationService } from '#invitations';
import { createMailboxMailer, createRetryPolicy, type Mailer, type OutboxWorker, type RetryPolicy } from '#delivery';
import { createTenant, type CreatedTenant } from '#tenants';
import type { ClientLimitSettings } from '#limits';
import { createScratchDatabase, type ScratchDatabase } from './stores';

export const PUBLIC_URL = 'http://usher.test';

/** A response read once: status, headers and the parsed JSON body. */
export interface TestResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** An in-process Usher on a scratch database with a manual clock, and a client for it. */
export interface TestUsher {
  readonly engine: Engine;
  readonly store: Store;
  readonly clock: ReturnType<typeof createManualClock>;
  readonly invitations: InvitationService;
  /** The audit trail the app records to, for suites that mount routes of their own. */
  readonly audit: AuditTrail;
  /** The outbox worker; not started: tests drive it with runOnce() or start()/stop(). */
  readonly worker: OutboxWorker;
  readonly app: Usher['app'];
  /** The app's retention run, as main's sweep calls it. */
  readonly pruneRetained: Usher['pruneRetained'];
  /** The first tenant, made with an operator key. */
  readonly tenant: CreatedTenant;
  request<T = any>(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      key?: string | null;
      headers?: Record<string, string>;
      raw?: string | Uint8Array<ArrayBuffer>;
    },
  ): Promise<TestResponse<T>>;
  /** Makes another tenant and returns it with its key. */
  createTenant(name: string): Promise<CreatedTenant>;
}

/** What a suite may change about its Usher. */
export interface TestUsherOptions {
  /** The mailer; the local mailbox by default. */
  readonly mailer?: (store: Store, clock: ReturnType<typeof createManualClock>) => Mailer;
  /** Retries quickly by default so tests need not wait. */
  readonly retryPolicy?: RetryPolicy;
  /** Guards /metrics with this bearer token (USHER_METRICS_TOKEN); open by default. */
  readonly metricsToken?: string;
  /** The public URL; http://usher.test by default. */
  readonly publicUrl?: string;
  /** As USHER_ALLOW_PRIVATE_NETWORK; true by default, since tests talk to servers on 127.0.0.1. */
  readonly allowPrivateNetwork?: boolean;
  /** As USHER_LINK_SECRET; a random one per suite by default. */
  readonly linkSecret?: string;
  /** Channels registered besides the built-in five, as a deployment would add one. */
  readonly extraChannels?: ServiceOptions['extraChannels'];
  /** Per-client limits of anonymous callers; they apply only to requests over a socket (see `serveOnLoopback`). */
  readonly clientLimits?: ClientLimitSettings;
  /** As USHER_CONFIG_CACHE_MS; the server's default (CONFIG_CACHE_MS) if unset. */
  readonly configCacheMs?: number;
}

/** Starts an in-process Usher for the enclosing suite and stops it after. */
export function useTestUsher(engine: Engine, options: TestUsherOptions = {}): TestUsher {
  const handle = {} as { current: TestUsher; scratch: ScratchDatabase; mailer: Mailer };
  beforeAll(async () => {
    const scratch = await createScratchDatabase(engine);
    const store = openStore(scratch.url);
    await migrateToLatest(store.db);
    const clock = createManualClock(new Date());
    const tenant = await createTenant(store.db, { name: 'Acme', operator: true }, clock.now());
    const mailer = options.mailer ? options.mailer(store, clock) : createMailboxMailer(store.db, clock);
    const { app, invitations, worker, pruneRetained, audit } = createUsher(
      {
        db: store.db,
        engine,
        clock,
        publicUrl: options.publicUrl ?? PUBLIC_URL,
        version: 'test',
        mailer,
        fromAddress: 'Usher <no-reply@usher.test>',
        allowPrivateNetwork: options.allowPrivateNetwork ?? true,
        retryPolicy: options.retryPolicy ?? createRetryPolicy({ initialDelayMs: 0, jitter: 0, maxAttempts: 5 }),
        worker: { pollIntervalMs: 20, onError: (error) => console.error(error) },
        logError: (error) => console.error(error),
        metricsToken: options.metricsToken,
        linkSecret: options.linkSecret ?? newSecret(),
        clientLimits: options.clientLimits,
        configCacheMs: options.configCacheMs,
      },
      { extraChannels: options.extraChannels },
    );
    handle.mailer = mailer;
    handle.scratch = scratch;
    handle.current = {
      engine,
      store,
      clock,
      invitations,
      audit,
      worker,
      app,
      pruneRetained,
      tenant,
      async request(method, path, options = {}) {
        const key = options.key === undefined ? tenant.apiKey.key : options.key;
        const headers: Record<string, string> = {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...options.headers,
        };
        let body: string | Uint8Array<ArrayBuffer> | undefined = options.raw;
        if (options.body !== undefined) {
          body = JSON.stringify(options.body);
          headers['content-type'] ??= 'application/json';
        }
        const response = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: keep the text
        }
        return { status: response.status, headers: response.headers, body: parsed as any };
      },
      createTenant: (name) => createTenant(store.db, { name }, clock.now()),
    };
  });
  afterAll(async () => {
    await handle.current?.worker.stop();
    await handle.mailer?.close();
    await handle.current?.store.close();
    await handle.scratch?.drop();
  });
  return new Proxy({} as TestUsher, { get: (_t, prop) => (handle.current as any)[prop] });
}

/** The token at the end of an invitation URL. */
export function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}
