import { createUsher } from '#usher';
import { systemClock } from '#common/clock';
import { openStore } from '#db';
import { createMailboxMailer } from '#delivery';

/**
 * The OpenAPI document exactly as a running Usher serves it at /openapi.json, built without a
 * server or a database file: the SDK is generated from it. Only `servers` differs per deployment,
 * so it is left out.
 */
export async function buildOpenApiDocument(version: string): Promise<Record<string, unknown>> {
  // createUsher does no I/O; the in-memory store only satisfies their signatures.
  const store = openStore('sqlite::memory:');
  try {
    const { app } = createUsher({
      db: store.db,
      engine: store.engine,
      clock: systemClock,
      publicUrl: 'http://usher.invalid',
      version,
      mailer: createMailboxMailer(store.db, systemClock),
      fromAddress: 'no-reply@usher.invalid',
      allowPrivateNetwork: false,
      logError: () => {},
      // Only the document is read: no link is ever derived with it.
      linkSecret: 'openapi-document-builds-no-links-0000',
    });
    const response = await app.request('/openapi.json');
    if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}: ${await response.text()}`);
    const document = (await response.json()) as Record<string, unknown>;
    delete document.servers;
    return document;
  } finally {
    await store.close();
  }
}
