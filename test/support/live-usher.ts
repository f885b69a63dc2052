import { afterAll, beforeAll } from 'vitest';
import { createUsher, type Usher } from '#usher';
import { systemClock } from '#common/clock';
import { newSecret } from '#common/secrets';
import { migrateToLatest, openStore, type Engine, type Store } from '#db';
import { createSmtpMailer, type Mailer, type RetryPolicy } from '#delivery';
import { createTenant, type CreatedTenant } from '#tenants';
import { createScratchDatabase, type ScratchDatabase } from './stores';
import { startSmtpServer, type TestSmtpServer } from './smtp';

/** An in-process Usher on the system clock whose worker runs, mailing a real SMTP server. */
export interface LiveUsher {
  readonly store: Store;
  readonly smtp: TestSmtpServer;
  readonly tenant: CreatedTenant;
  readonly app: Usher['app'];
  /** A request with the tenant's key and a JSON body type. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Starts a LiveUsher for the enclosing suite (after `settle` ms, so the worker's first poll is over) and stops it
 * after.
 */
export function useLiveUsher(
  engine: Engine,
  options: {
    readonly retryPolicy: RetryPolicy;
    readonly worker: NonNullable<Parameters<typeof createUsher>[0]['worker']>;
    readonly settleMs?: number;
  },
): LiveUsher {
  const handle = {} as { current: LiveUsher; scratch: ScratchDatabase; mailer: Mailer; stop: () => Promise<void> };
  beforeAll(async () => {
    handle.scratch = await createScratchDatabase(engine);
    const store = openStore(handle.scratch.url);
    await migrateToLatest(store.db);
    const tenant = await createTenant(store.db, { name: 'Live', operator: true }, systemClock.now());
    const smtp = await startSmtpServer();
    handle.mailer = createSmtpMailer(smtp.url);
    const built = createUsher({
      db: store.db,
      engine,
      clock: systemClock,
      publicUrl: 'http://usher.test',
      version: 'test',
      mailer: handle.mailer,
      fromAddress: 'Usher <no-reply@usher.test>',
      allowPrivateNetwork: true,
      retryPolicy: options.retryPolicy,
      worker: options.worker,
      logError: (error) => console.error(error),
      linkSecret: newSecret(),
    });
    built.worker.start();
    handle.stop = async () => {
      await built.worker.stop();
      await handle.mailer.close();
      await smtp.close();
      await store.close();
    };
    const headers = { authorization: `Bearer ${tenant.apiKey.key}`, 'content-type': 'application/json' };
    handle.current = {
      store,
      smtp,
      tenant,
      app: built.app,
      api: async (path, init = {}) => built.app.request(path, { ...init, headers }),
    };
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 200));
  });
  afterAll(async () => {
    await handle.stop?.();
    await handle.scratch?.drop();
  });
  return new Proxy({} as LiveUsher, { get: (_t, prop) => (handle.current as any)[prop] });
}
