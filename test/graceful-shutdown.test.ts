import http from 'node:http';
import { afterAll, afterEach, expect, it } from 'vitest';
import { openStore } from '#db';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

const CLIENTS = 32;
const DRAIN_MS = 1_500;
const DEADLINE_MS = 8_000;

/**
 * How one request ended, seen from the client: an answer; a connection refused (the listener is gone, nothing
 * was sent); or a reset, on a connection that had already carried an answer (`reused`) or on a new one.
 */
type Outcome =
  | { kind: 'answered'; status: number; id?: string; close: boolean }
  | { kind: 'refused' }
  | { kind: 'reset'; reused: boolean; detail: string };

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** Posts an invitation over a keep-alive agent, which tells whether the request went out on a reused connection. */
function post(base: string, n: number): Promise<Outcome> {
  const body = JSON.stringify({ channel: 'link', purpose: `drain-${n}` });
  return new Promise((resolve) => {
    const request = http.request(`${base}/v1/invitations`, {
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      timeout: 15_000,
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({
          kind: 'answered',
          status: response.statusCode!,
          id: (JSON.parse(text) as { id?: string }).id,
          close: response.headers.connection === 'close',
        }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve({ kind: 'refused' });
      else resolve({ kind: 'reset', reused: request.reusedSocket, detail: `${error.code ?? ''} ${error.message}` });
    });
    request.end(body);
  });
}

afterAll(stopAllUshers);

describeEachStore('SIGTERM under steady keep-alive load', (engine) => {
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await stopAllUshers();
    await scratch?.drop();
    scratch = undefined;
  });

  it('says not ready at once, answers every request it read with Connection: close, resets none, and exits 0', async () => {
    scratch = await createScratchDatabase(engine);
    const usher = await startUsher({
      databaseUrl: scratch.url,
      env: {
        USHER_SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        USHER_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
        USHER_LOG_LEVEL: 'info',
      },
    });
    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    // Each client posts in a loop over a keep-alive pool, reconnecting after an answer marked close, until the
    // server is gone: the harshest load, since a real client would have moved to another server.
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (running) {
        const outcome = await post(usher.url, n++);
        outcomes.push(outcome);
        if (outcome.kind !== 'answered') return;
      }
    });
    // Steady load first: every client has had answers on its keep-alive connection.
    while (outcomes.length < 4 * CLIENTS) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = outcomes.length;

    const signalled = Date.now();
    const exited = usher.stop(DEADLINE_MS + 5_000);
    await usher.waitForStdout(/"msg":"shutting down"/);
    const ready = await fetch(`${usher.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: 'shutting down' });

    const exit = await exited;
    const elapsed = Date.now() - signalled;
    running = false;
    await Promise.all(clients);

    expect(exit).toEqual({ code: 0, signal: null });
    // Well inside the deadline: the drain window, then only what was in flight.
    expect(elapsed).toBeLessThan(DRAIN_MS + 3_000);
    expect(usher.stdout()).toMatch(/"msg":"stopped"/);
    // No request written to a connection that had carried an answer is reset: each connection was told to close
    // with its last answer. A connection opened in the very last instant can still be reset by the kernel when
    // the listener closes (it sat in the accept queue); the row check below shows such a request was never read.
    const resets = outcomes.filter((o): o is Extract<Outcome, { kind: 'reset' }> => o.kind === 'reset');
    expect(resets.filter((o) => o.reused)).toEqual([]);
    expect(resets.length).toBeLessThan(CLIENTS);
    const answered = outcomes.filter((o): o is Extract<Outcome, { kind: 'answered' }> => o.kind === 'answered');
    expect(answered.every((o) => o.status === 201)).toBe(true);
    // The drain served more requests after the signal, each marked so the client moves off.
    const afterSignal = answered.slice(before);
    expect(afterSignal.length).toBeGreaterThan(0);
    expect(afterSignal.filter((o) => o.close).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.kind === 'refused').length + resets.length).toBe(CLIENTS);

    // Every acknowledged create is stored, and nothing was stored that was not acknowledged.
    const store = openStore(scratch.url);
    try {
      const rows = await store.db.selectFrom('invitations').select('id').execute();
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answered.map((o) => o.id)));
    } finally {
      await store.close();
    }
  }, 60_000);
});
