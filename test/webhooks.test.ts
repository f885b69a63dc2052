import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '#support/http-receiver';
import { tokenOf, useTestUsher } from '#support/usher';

const headersOf = (request: ReceivedRequest) => ({
  'webhook-id': String(request.headers['webhook-id']),
  'webhook-timestamp': String(request.headers['webhook-timestamp']),
  'webhook-signature': String(request.headers['webhook-signature']),
});

describeEachStore('webhooks', (engine) => {
  const receiver = {} as { server: TestReceiver };
  beforeAll(async () => {
    receiver.server = await startReceiver();
  });
  afterAll(async () => receiver.server.close());
  const usher = useTestUsher(engine);
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  let secret: string;
  let endpointId: string;

  beforeAll(async () => {
    const created = await usher.request('POST', '/v1/webhooks', { body: { url: receiver.server.url, events: ['*'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secret = created.body.secret;
    endpointId = created.body.id;
  });

  it('delivers signed events that the standardwebhooks library verifies, and refuses when tampered', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: {
        recipient: { email: 'hook@example.com' },
        role: 'member',
        target: { type: 'group', iri: 'https://example.com/g/1', name: 'G1' },
      },
    });
    await drain();
    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, {
      key: null,
      body: { name: 'Hook' },
    });
    await drain();
    const mine = receiver.server.received.filter((r) => JSON.parse(r.body).data?.invitation?.id === created.body.id);
    const types = mine.map((r) => JSON.parse(r.body).type);
    expect(types).toEqual(expect.arrayContaining(['invitation.created', 'invitation.sent', 'invitation.accepted']));

    const verifier = new Webhook(secret);
    for (const request of mine) expect(() => verifier.verify(request.body, headersOf(request))).not.toThrow();
    const tampered = mine[0]!.body.replace('hook@example.com', 'evil@example.com');
    expect(() => verifier.verify(tampered, headersOf(mine[0]!))).toThrow();

    const acceptedEvent = JSON.parse(mine.find((r) => JSON.parse(r.body).type === 'invitation.accepted')!.body);
    expect(acceptedEvent.data.acceptedBy).toMatchObject({ key: 'email:hook@example.com', name: 'Hook' });
    expect(acceptedEvent.data.membership).toMatchObject({ id: accepted.body.membership.id, role: 'member' });
    expect(acceptedEvent.data.invitation.status).toBe('accepted');
  });

  it('carries who invited in the invitation payload of every event', async () => {
    const invitedBy = { id: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' };
    const created = await usher.request('POST', '/v1/invitations', {
      body: { recipient: { email: 'hook-ada@example.com' }, invitedBy },
    });
    await usher.request('POST', `/v1/public/invitations/${tokenOf(created.body.url)}/accept`, { key: null });
    await drain();
    const mine = receiver.server.received
      .map((r) => JSON.parse(r.body))
      .filter((event) => event.data?.invitation?.id === created.body.id);
    expect(mine.map((event) => event.type)).toEqual(
      expect.arrayContaining(['invitation.created', 'invitation.accepted']),
    );
    for (const event of mine) expect(event.data.invitation.invitedBy).toEqual({ ...invitedBy, source: 'request' });
  });

  it('never puts a token or an invitation link in a payload', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    await usher.request('POST', `/v1/invitations/${created.body.id}/resend`);
    await drain();
    for (const request of receiver.server.received) {
      expect(request.body).not.toContain('/i/');
      expect(request.body).not.toContain(tokenOf(created.body.url));
    }
  });

  it('retries a failing endpoint by the policy and logs every attempt', async () => {
    receiver.server.respondWith(500);
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', label: 'retry-me' } });
    await usher.worker.runOnce();
    await usher.worker.runOnce();
    receiver.server.respondWith(200);
    await drain();
    const log = (await usher.request('GET', `/v1/webhooks/${endpointId}/deliveries`)).body.data.find(
      (d: any) => d.invitationId === created.body.id,
    );
    expect(log.state).toBe('sent');
    expect(log.log.map((a: any) => [a.outcome, a.responseCode])).toEqual([
      ['failed', 500],
      ['failed', 500],
      ['sent', 200],
    ]);
    expect(log.log[0].response).toContain('receiver says no');
    // The same webhook-id on every attempt, so the receiver can drop repeats.
    const ids = receiver.server.received
      .filter((r) => r.body.includes(created.body.id))
      .map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
  });

  it('pings an endpoint on demand and reports its answer', async () => {
    const ping = await usher.request('POST', `/v1/webhooks/${endpointId}/ping`);
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ state: 'sent', attempts: 1 });
    const last = receiver.server.received.at(-1)!;
    expect(JSON.parse(last.body).type).toBe('webhook.ping');
    expect(() => new Webhook(secret).verify(last.body, headersOf(last))).not.toThrow();
  });
});
