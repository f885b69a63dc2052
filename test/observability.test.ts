import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('metrics, readiness and request ids', (engine) => {
  const usher = useTestUsher(engine);

  it('is ready while the database answers', async () => {
    expect(await usher.request('GET', '/readyz', { key: null })).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('echoes a sane X-Request-Id, and makes one up otherwise', async () => {
    const given = await usher.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await usher.request('GET', '/healthz', { key: null, headers: { 'x-request-id': 'not sane\u0001' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts requests by route pattern, invitations by status and channel, and what waits in the outbox', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { recipient: { email: 'metrics@example.com' } } });
    await usher.request('GET', `/v1/invitations/${created.body.id}`);
    const text = String((await usher.request('GET', '/metrics', { key: null })).body);
    expect(text).toMatch(/usher_http_requests_total\{method="GET",route="\/v1\/invitations\/:id",status="200"\} 1/);
    expect(text).toMatch(/usher_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/invitations"\}/);
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
