import { expect, it } from 'vitest';
import { useProviderSuite } from '#support/provider-suite';
import { describeEachStore } from '#support/stores';

const HOUR = 3600_000;

describeEachStore(
  'revoking provider invitations: withdrawn at the provider once sent, cancelled while they wait',
  (engine) => {
    const suite = useProviderSuite(engine);
    const { usher, account, invite, revoke, drain, deliveryOf, outboxOf, sendOf } = suite;

    it('cancels an invitation revoked before its slot in the revoking transaction: nothing goes out, the slot is free again', async () => {
      const paced = await account({ invitationsPerDay: 1, minSpacingSeconds: 0, jitterSeconds: 0 });
      await invite(paced.id, 'ACo-r1');
      const later = await invite(paced.id, 'ACo-r2');
      expect((await usher.request('GET', `/v1/provider-accounts/${paced.id}`)).body.quota.queued).toBe(1);
      expect((await revoke(later.body.id)).status).toBe(200);
      // Cancelled at once, not when its slot comes.
      expect(await outboxOf(later.body.id)).toMatchObject({
        status: 'skipped',
        attempts: 0,
        last_error: 'revoked before it was sent',
      });
      expect((await sendOf(later.body.id)).status).toBe('cancelled');
      expect((await usher.request('GET', `/v1/provider-accounts/${paced.id}`)).body.quota.queued).toBe(0);
      expect(await deliveryOf(later.body.id)).toEqual({ provider: expect.objectContaining({ state: 'skipped' }) });
      usher.clock.advance(24 * HOUR);
      await drain();
      expect(suite.fake.invites.map((i) => i.body.provider_id)).toEqual(['ACo-r1']);
      expect(suite.fake.withdrawals).toEqual([]);
      const withdrawRows = await usher.store.db
        .selectFrom('outbox')
        .select('id')
        .where('invitation_id', '=', later.body.id)
        .where('topic', '=', 'provider.withdraw')
        .execute();
      expect(withdrawRows).toEqual([]);
    });

    it('withdraws a sent invitation at the provider when it is revoked, after waiting out its 429', async () => {
      const open = await account({ minSpacingSeconds: 0, jitterSeconds: 0 });
      const created = await invite(open.id, 'ACo-w1');
      await drain();
      const remoteId = (await sendOf(created.body.id)).remote_invitation_id;
      expect(remoteId).toMatch(/^remote-/);
      suite.fake.script.push({
        status: 429,
        body: { status: 429, type: 'errors/too_many_requests', title: 'Too many requests' },
        headers: { 'retry-after': '120' },
      });
      expect((await revoke(created.body.id)).body).toMatchObject({ status: 'revoked' });
      await drain();
      expect(suite.fake.withdrawals).toEqual([
        { url: `/api/v1/users/invite/sent/${remoteId}?account_id=acc-1`, apiKey: 'secret-unipile-key' },
      ]);
      const waiting = await outboxOf(created.body.id, 'provider.withdraw');
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
      expect(waiting.last_error).toContain('HTTP 429 errors/too_many_requests');
      // Not before the provider's Retry-After, though the test's policy would retry at once.
      expect(Date.parse(waiting.next_attempt_at) - Date.parse(waiting.updated_at)).toBe(120_000);
      expect((await deliveryOf(created.body.id)).withdrawal).toMatchObject({
        state: 'retrying',
        attempts: 1,
        reason: waiting.last_error,
        nextAttemptAt: waiting.next_attempt_at,
      });

      usher.clock.advance(121_000);
      await drain();
      expect(suite.fake.withdrawals).toHaveLength(2);
      expect(await deliveryOf(created.body.id)).toEqual({
        provider: expect.objectContaining({ state: 'sent' }),
        withdrawal: expect.objectContaining({ state: 'sent', reason: null }),
      });
      // The provider counted the invitation: a withdrawn send still holds its slot.
      expect((await sendOf(created.body.id)).status).toBe('withdrawn');
      expect((await usher.request('GET', `/v1/provider-accounts/${open.id}`)).body.quota.day.used).toBe(1);
    });

    it("shows a withdrawal the provider keeps failing with 5xx as failed with its error, after the policy's attempts", async () => {
      const open = await account({ minSpacingSeconds: 0, jitterSeconds: 0 });
      const created = await invite(open.id, 'ACo-w2');
      await drain();
      // Retry-After keeps the connector from retrying in place: each answer is one outbox attempt.
      const unavailable = {
        status: 503,
        body: { status: 503, type: 'errors/provider_error', title: 'Provider error', detail: 'LinkedIn is down' },
        headers: { 'retry-after': '60' },
      };
      suite.fake.script.push(unavailable, unavailable, unavailable, unavailable, unavailable);
      await revoke(created.body.id);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await drain();
        usher.clock.advance(61_000);
      }
      expect(suite.fake.withdrawals).toHaveLength(5);
      const row = await outboxOf(created.body.id, 'provider.withdraw');
      expect(row).toMatchObject({ status: 'failed', attempts: 5 });
      const withdrawal = (await deliveryOf(created.body.id)).withdrawal;
      expect(withdrawal).toMatchObject({ state: 'failed', reason: 'HTTP 503 errors/provider_error: LinkedIn is down' });
      expect((await sendOf(created.body.id)).status).toBe('sent');
    });

    it("takes a provider's 4xx to a withdrawal as final, with the provider's error type", async () => {
      const open = await account({ minSpacingSeconds: 0, jitterSeconds: 0 });
      const created = await invite(open.id, 'ACo-w3');
      await drain();
      suite.fake.script.push({
        status: 404,
        body: {
          status: 404,
          type: 'errors/resource_not_found',
          title: 'Resource not found.',
          detail: 'The requested resource were not found.',
        },
      });
      await revoke(created.body.id);
      await drain();
      expect(suite.fake.withdrawals).toHaveLength(1);
      expect(await outboxOf(created.body.id, 'provider.withdraw')).toMatchObject({ status: 'failed', attempts: 1 });
      expect((await deliveryOf(created.body.id)).withdrawal).toMatchObject({
        state: 'failed',
        reason: 'HTTP 404 errors/resource_not_found: The requested resource were not found.',
      });
    });

    it('withdraws an invitation revoked while a worker was handing it to the provider, once the provider has it', async () => {
      const open = await account({ minSpacingSeconds: 0, jitterSeconds: 0 });
      const created = await invite(open.id, 'ACo-w4');
      let release = () => {};
      const arrived = new Promise<void>((resolve) => (suite.fake.hold.arrived = resolve));
      suite.fake.hold.until = new Promise<void>((resolve) => (release = resolve));
      const sending = usher.worker.runOnce();
      await arrived;
      // The provider has the request and has not answered: the row is claimed, too late to cancel.
      expect((await revoke(created.body.id)).body).toMatchObject({ status: 'revoked' });
      expect(await outboxOf(created.body.id)).toMatchObject({ status: 'sending' });
      // A withdrawal tried before the send's answer waits for it.
      await usher.worker.runOnce();
      const early = await outboxOf(created.body.id, 'provider.withdraw');
      expect(early).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_error: 'the invitation is still being sent; it is withdrawn once the provider has it',
      });
      expect(suite.fake.withdrawals).toEqual([]);
      suite.fake.hold.until = null;
      release();
      await sending;
      await drain();
      expect(suite.fake.invites.map((i) => i.body.provider_id)).toEqual(['ACo-w4']);
      expect(suite.fake.withdrawals.map((w) => w.url)).toEqual([
        `/api/v1/users/invite/sent/${(await sendOf(created.body.id)).remote_invitation_id}?account_id=acc-1`,
      ]);
      expect(await deliveryOf(created.body.id)).toMatchObject({
        provider: { state: 'sent' },
        withdrawal: { state: 'sent' },
      });
    });

    it("revoking an invitation to an identity of this server revokes the invitee's incoming one; once answered, the withdrawal fails saying so", async () => {
      const other = await usher.createTenant('Withdrawn neighbours');
      const local = (message: string) =>
        usher.request('POST', '/v1/invitations', {
          body: {
            channel: 'provider',
            recipient: { provider: { provider: 'usher', userId: other.identity.id } },
            message,
          },
        });
      const incoming = async (message: string) =>
        (await usher.request('GET', '/v1/invitations?direction=incoming', { key: other.apiKey.key })).body.data.find(
          (i: any) => i.message === message,
        );

      const first = await local('Come along');
      expect((await revoke(first.body.id)).status).toBe(200);
      await drain();
      const withdrawn = await incoming('Come along');
      expect(withdrawn).toMatchObject({ status: 'revoked' });
      const events = (await usher.request('GET', `/v1/invitations/${withdrawn.id}/events`, { key: other.apiKey.key }))
        .body.data;
      expect(events.at(-1)).toMatchObject({ type: 'invitation.revoked', actor: `remote:${usher.tenant.identity.did}` });
      expect(await deliveryOf(first.body.id)).toEqual({ withdrawal: expect.objectContaining({ state: 'sent' }) });

      const second = await local('Once more');
      const answered = await incoming('Once more');
      expect(
        (await usher.request('POST', `/v1/invitations/${answered.id}/accept`, { key: other.apiKey.key })).body,
      ).toMatchObject({ status: 'accepted' });
      await revoke(second.body.id);
      await drain();
      expect(await incoming('Once more')).toMatchObject({ status: 'accepted' });
      expect((await deliveryOf(second.body.id)).withdrawal).toMatchObject({
        state: 'failed',
        reason: "invitation_not_pending: the invitee's invitation is already accepted",
      });
      expect(await outboxOf(second.body.id, 'provider.withdraw')).toMatchObject({ status: 'failed', attempts: 1 });
    });
  },
);
