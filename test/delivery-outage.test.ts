import { expect, it } from 'vitest';
import { createRetryPolicy } from '#delivery';
import { describeEachStore } from '#support/stores';
import { useLiveUsher, type LiveUsher } from '#support/live-usher';

interface Warning {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The console's invitation page, signed in with the tenant's key as a browser would. */
async function consolePage(app: LiveUsher['app'], key: string, path: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [name, value] = line.split(';')[0]!.split('=');
      cookies.set(name!, value ?? '');
    }
    return response;
  };
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const login = await keep(await app.request('/console/login')).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login)?.[1] ?? '';
  const form = new URLSearchParams({ _csrf: csrf, key, next: path }).toString();
  keep(
    await app.request('/console/login', {
      method: 'POST',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  return (await app.request(path, { headers: { cookie: cookie() } })).text();
}

describeEachStore('an SMTP server that is down, then comes back', (engine) => {
  const warnings: Warning[] = [];
  const state = useLiveUsher(engine, {
    // Steady retries a few hundred ms apart, so an outage of a few seconds sees several attempts.
    retryPolicy: createRetryPolicy({ initialDelayMs: 300, factor: 1, jitter: 0, maxAttempts: 100 }),
    worker: {
      pollIntervalMs: 50,
      onError: (error) => console.error(error),
      onWarn: (fields, message) => warnings.push({ fields, message }),
    },
  });
  const api = (path: string, init?: RequestInit) => state.api(path, init);
  const emailState = async (id: string) => (await (await api(`/v1/invitations/${id}`)).json()).delivery.email;
  const retryingGauge = async () => {
    const text = await (await state.app.request('/metrics')).text();
    return Number(/^usher_outbox_retrying\{topic="email\.invitation"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };

  it('shows the invitation retrying, why, how often and when next, warns once, counts it, and sends once the server is back', async () => {
    await state.smtp.down();
    const created = await api('/v1/invitations', {
      method: 'POST',
      body: JSON.stringify({ recipient: { email: 'outage@example.com' } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const retrying = await until(
      async () => {
        const email = await emailState(id);
        return email.state === 'retrying' && email.attempts >= 3 ? email : undefined;
      },
      15_000,
      'three failed attempts',
    );
    expect(retrying.reason).toMatch(/ECONNREFUSED|connect/i);
    // When the row is being tried again right now, this is the time it was due.
    expect(Number.isFinite(Date.parse(retrying.nextAttemptAt))).toBe(true);
    const deliveries = await (await api(`/v1/invitations/${id}/deliveries`)).json();
    expect(deliveries.summary.email).toMatchObject({ state: 'retrying', reason: retrying.reason });
    expect(deliveries.data[0]).toMatchObject({ state: 'retrying', lastError: retrying.reason });

    // One warning on the way into failing, not one per attempt; the next would come a minute later.
    expect(warnings.map((w) => w.message)).toEqual(['delivery channel failing']);
    expect(warnings[0]!.fields).toMatchObject({ topic: 'email.invitation', failures: 1 });
    expect(String(warnings[0]!.fields.lastError)).toMatch(/ECONNREFUSED|connect/i);
    expect(await retryingGauge()).toBe(1);

    const page = await consolePage(state.app, state.tenant.apiKey.key, `/console/invitations/${id}`);
    expect(page).toContain('badge retrying');
    expect(page).toMatch(/\d+ attempts so far; next try \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    await state.smtp.up();
    const sent = await until(
      async () => {
        const email = await emailState(id);
        return email.state === 'sent' ? email : undefined;
      },
      15_000,
      'the email to be sent once the server is back',
    );
    expect(sent).toMatchObject({ reason: null, nextAttemptAt: null });
    expect(sent.attempts).toBeGreaterThanOrEqual(4);
    expect(state.smtp.received.map((m) => m.envelopeTo[0])).toEqual(['outage@example.com']);
    expect(warnings.map((w) => w.message)).toEqual(['delivery channel failing', 'delivery channel recovered']);
    expect(warnings[1]!.fields.failures).toBe(sent.attempts - 1);
    expect(await retryingGauge()).toBe(0);
  });
});
