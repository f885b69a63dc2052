import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmtpMailer } from '#delivery';
import { describeEachStore } from '#support/stores';
import { startReceiver, type TestReceiver } from '#support/http-receiver';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';
import { tokenOf, useTestUsher, type TestUsher } from '#support/usher';

const TARGET = { type: 'group', iri: 'https://example.com/g/club', name: 'Club' };

const accept = (usher: TestUsher, url: string, body: Record<string, unknown>) =>
  usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/accept`, { key: null, body });

describeEachStore('join requests on a link that requires approval', (engine) => {
  const parts = {} as { receiver: TestReceiver; smtp: TestSmtpServer };
  beforeAll(async () => {
    parts.receiver = await startReceiver();
    parts.smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await parts.receiver.close();
    await parts.smtp.close();
  });
  const usher = useTestUsher(engine, { mailer: () => createSmtpMailer(parts.smtp.url, { maxConnections: 1 }) });
  const drain = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };
  const hooks = (type: string, invitationId: string) =>
    parts.receiver.received
      .map((r) => JSON.parse(r.body))
      .filter((p) => p.type === type && p.data?.invitation?.id === invitationId);
  const mailTo = (address: string) => parts.smtp.received.filter((m) => m.envelopeTo.includes(address));
  const approvalLink = async (usesAllowed = 5) => {
    const link = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed, role: 'member', target: TARGET, requireApproval: true },
    });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect(link.body.requireApproval).toBe(true);
    return link.body as { id: string; url: string };
  };

  beforeAll(async () => {
    const hook = await usher.request('POST', '/v1/webhooks', { body: { url: parts.receiver.url, events: ['*'] } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  });

  it('asks, then on approval grants the seat, tells the host by webhook and the requester by email', async () => {
    const link = await approvalLink();
    const asked = await accept(usher, link.url, { email: 'Ann@Example.com', name: 'Ann' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.acceptanceToken).toBeUndefined();
    expect(asked.body.joinRequest).toMatchObject({ status: 'pending', member: 'email:ann@example.com' });
    // Nothing is consumed and no one is a member yet.
    expect((await usher.request('GET', `/v1/invitations/${link.id}`)).body).toMatchObject({ usesCount: 0 });
    await drain();
    expect(hooks('join_request.created', link.id)).toHaveLength(1);
    expect(hooks('invitation.accepted', link.id)).toHaveLength(0);

    const pending = await usher.request('GET', `/v1/join-requests?status=pending&invitationId=${link.id}`);
    expect(pending.status, JSON.stringify(pending.body)).toBe(200);
    expect(pending.body.data.map((r: { id: string }) => r.id)).toEqual([asked.body.joinRequest.id]);

    const approved = await usher.request('POST', `/v1/join-requests/${asked.body.joinRequest.id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^api_key:/) });
    expect(approved.body.membershipId).toEqual(expect.any(String));
    expect((await usher.request('GET', `/v1/invitations/${link.id}`)).body).toMatchObject({ usesCount: 1 });

    await drain();
    expect(hooks('invitation.accepted', link.id)).toHaveLength(1);
    const [approvedHook] = hooks('join_request.approved', link.id);
    expect(approvedHook.data.membership).toMatchObject({ id: approved.body.membershipId, role: 'member' });
    await parts.smtp.waitFor(1);
    const [mail] = mailTo('ann@example.com');
    expect(mail!.parsed.subject).toContain('Approved');
    expect(mail!.parsed.text).toContain(`/i/${tokenOf(link.url)}`);

    // Opening the link again gives the seat and its token, consuming nothing.
    const again = await accept(usher, link.url, { email: 'ann@example.com' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ existingMembership: true, membership: { id: approved.body.membershipId } });
    expect(again.body.acceptanceToken.token).toEqual(expect.any(String));

    const audit = await usher.request('GET', '/v1/audit-events?action=join_request.decided');
    expect(audit.body.data.map((e: { subjectId: string }) => e.subjectId)).toContain(asked.body.joinRequest.id);
  });

  it('declines without taking a seat, mails the reason, and refuses the same person afterwards', async () => {
    const link = await approvalLink();
    const asked = await accept(usher, link.url, { email: 'bob@example.com' });
    expect(asked.status).toBe(202);
    const declined = await usher.request('POST', `/v1/join-requests/${asked.body.joinRequest.id}/decline`, {
      body: { reason: 'members only' },
    });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body).toMatchObject({ status: 'declined', reason: 'members only', membershipId: null });
    expect((await usher.request('GET', `/v1/invitations/${link.id}`)).body).toMatchObject({ usesCount: 0 });
    const twice = await usher.request('POST', `/v1/join-requests/${asked.body.joinRequest.id}/approve`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('join_request_decided');

    await drain();
    expect(hooks('join_request.declined', link.id)).toHaveLength(1);
    expect(hooks('invitation.accepted', link.id)).toHaveLength(0);
    await parts.smtp.waitFor(2);
    const [mail] = mailTo('bob@example.com');
    expect(mail!.parsed.subject).toContain('Declined');
    expect(mail!.parsed.text).toContain('members only');

    const after = await accept(usher, link.url, { email: 'bob@example.com' });
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('join_request_declined');
  });

  it('gives the same person asking twice the same pending request', async () => {
    const link = await approvalLink();
    const first = await accept(usher, link.url, { email: 'cy@example.com' });
    const second = await accept(usher, link.url, { email: 'CY@example.com', name: 'Cy' });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.joinRequest.id).toBe(first.body.joinRequest.id);
    const listed = await usher.request('GET', `/v1/join-requests?invitationId=${link.id}`);
    expect(listed.body.data).toHaveLength(1);
    await drain();
    expect(hooks('join_request.created', link.id)).toHaveLength(1);
  });

  it('refuses a key without invitations:write (403), and one that may not grant the role', async () => {
    const link = await approvalLink();
    const asked = await accept(usher, link.url, { email: 'dee@example.com' });
    const reader = await usher.request('POST', '/v1/api-keys', {
      body: { name: 'reader', scopes: ['invitations:read'] },
    });
    const readerKey = reader.body.key as string;
    expect(
      (await usher.request('GET', `/v1/join-requests/${asked.body.joinRequest.id}`, { key: readerKey })).status,
    ).toBe(200);
    const refused = await usher.request('POST', `/v1/join-requests/${asked.body.joinRequest.id}/approve`, {
      key: readerKey,
    });
    expect(refused.status).toBe(403);
    const guests = await usher.request('POST', '/v1/api-keys', {
      body: { name: 'guests only', scopes: ['invitations:read', 'invitations:write'], grantableRoles: ['guest'] },
    });
    const ceiling = await usher.request('POST', `/v1/join-requests/${asked.body.joinRequest.id}/approve`, {
      key: guests.body.key,
    });
    expect(ceiling.status, JSON.stringify(ceiling.body)).toBe(403);
    const still = await usher.request('GET', `/v1/join-requests/${asked.body.joinRequest.id}`);
    expect(still.body.status).toBe('pending');
    expect((await usher.request('GET', `/v1/invitations/${link.id}`)).body).toMatchObject({ usesCount: 0 });
  });

  it('answers a spent link at approval as accepting would, and leaves the request pending', async () => {
    const link = await approvalLink(1);
    const [eve, fay] = [
      await accept(usher, link.url, { email: 'eve@example.com' }),
      await accept(usher, link.url, { email: 'fay@example.com' }),
    ];
    expect((await usher.request('POST', `/v1/join-requests/${eve.body.joinRequest.id}/approve`)).status).toBe(200);
    const late = await usher.request('POST', `/v1/join-requests/${fay.body.joinRequest.id}/approve`);
    expect(late.status, JSON.stringify(late.body)).toBe(410);
    expect((await usher.request('GET', `/v1/join-requests/${fay.body.joinRequest.id}`)).body.status).toBe('pending');
    // The approved requester of a single-use link still gets their seat back by opening it again.
    const back = await accept(usher, link.url, { email: 'eve@example.com' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.existingMembership).toBe(true);
  });

  it('says on the accept page that the request was sent', async () => {
    const link = await approvalLink();
    const page = await usher.app.request(`/i/${tokenOf(link.url)}/accept`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'gus@example.com' }),
    });
    expect(page.status).toBe(202);
    const html = await page.text();
    expect(html).toContain('Your request to join Club at');
    expect(html).toContain('you&#39;ll get an email');
  });
});
