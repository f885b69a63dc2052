import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('metrics, readiness and request ids', (engine) => {
  const usher = useTestUsher(engine);

  it('is ready while the database answers', async () => {
    expect(await usher.request('GET', '/readyz', { key: null })).toMatchObject({
      status: 200,
      body: { status: 'ready' },
    });
  });

  it('echoes a sane X-Request-Id, and makes one up otherwise', async () => {
    const given = await usher.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await usher.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'not sane\u0001' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts requests by route pattern, invitations by status and channel, and what waits in the outbox', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'metrics@example.com' } },
    });
    await usher.request('GET', `/v1/invitations/${created.body.id}`);
    const text = String((await usher.request('GET', '/metrics', { key: null })).body);
    expect(text).toMatch(/usher_http_requests_total\{method="GET",route="\/v1\/invitations\/:id",status="200"\} 1/);
    expect(text).toMatch(
      /usher_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/invitations"\}/,
    );
    expect(text).toMatch(/usher_invitations\{status="pending",channel="email"\} 1/);
    expect(text).toMatch(/usher_outbox_depth\{topic="email.invitation"\} 1/);
    await usher.worker.runOnce();
    const after = String((await usher.request('GET', '/metrics', { key: null })).body);
    expect(after).not.toMatch(/usher_outbox_depth\{topic="email.invitation"\}/);
    expect(after).toMatch(/usher_delivery_attempts\{topic="email.invitation",outcome="sent"\} 1/);
    // No tenant or id ever becomes a label.
    expect(after).not.toContain(created.body.id);
    expect(after).not.toContain(usher.tenant.tenant.id);
  });
});

describeEachStore('metrics behind a bearer token (USHER_METRICS_TOKEN)', (engine) => {
  const token = 'metrics-token-0123456789abcdef';
  const usher = useTestUsher(engine, { metricsToken: token });

  it('answers 401 problem+json without the token or with another, and the metrics with it', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: token },
      { authorization: `Bearer ${usher.tenant.apiKey.key}` },
    ];
    for (const headers of attempts) {
      const refused = await usher.request('GET', '/metrics', { key: null, headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(refused.body).toMatchObject({ code: 'unauthorized', field: 'header.authorization' });
    }
    const allowed = await usher.request('GET', '/metrics', {
      key: null,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(allowed.status).toBe(200);
    expect(String(allowed.body)).toContain('usher_http_requests_total');
    // Probes stay open: a load balancer has no token.
    expect((await usher.request('GET', '/readyz', { key: null })).status).toBe(200);
  });
});
