import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '#support/api-client';
import { TEST_BOOTSTRAP_KEY } from '#support/process';
import { describeEachStore } from '#support/stores';
import { startUsherPair, type UsherPair } from '#support/usher-pair';

const DAY = 24 * 3600_000;

describeEachStore(
  "two Ushers: A invites B's identities through a provider account on B's Unipile surface",
  (engine) => {
    let pair: UsherPair;
    let a: ReturnType<typeof apiClient>;
    let b: ReturnType<typeof apiClient>;
    let bAccount: { id: string; displayName: string; did: string };
    let account: { id: string };
    const users: Record<string, string> = {};

    const invite = (accountId: string, userId: string, message?: string) =>
      a.call('POST', '/v1/invitations', {
        channel: 'provider',
        recipient: { provider: { provider: 'linkedin', accountId, userId } },
        ...(message ? { message } : {}),
      });
    const deliveryOf = (invitationId: string) =>
      a.until(
        async () => (await a.call('GET', `/v1/invitations/${invitationId}/deliveries`)).body.data[0],
        (d) => d !== undefined,
        'a delivery',
      );
    const incomingOnB = async () =>
      (await b.call('GET', '/v1/invitations?direction=incoming&channel=provider')).body.data as any[];
    const outgoingOnA = async (userId: string) =>
      ((await a.call('GET', '/v1/invitations?channel=provider&sort=createdAt&order=asc')).body.data as any[]).find(
        (i) => i.recipient.provider.userId === userId,
      );
    const detailOnA = async (id: string) => (await a.call('GET', `/v1/invitations/${id}`)).body;

    beforeAll(async () => {
      pair = await startUsherPair(engine);
      a = apiClient(pair.a);
      b = apiClient(pair.b);
      bAccount = (await b.call('GET', '/v1/identities')).body.data[0];
      for (const handle of ['yara-one', 'yann-two', 'yves-three', 'zoe-four']) {
        const created = await b.call('POST', '/v1/identities', { displayName: handle.replace('-', ' '), handle });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        users[handle] = created.body.id;
      }
      // A's connector points at B: DSN = B's address, B's API key, one of B's identities as the account.
      const created = await a.call('POST', '/v1/provider-accounts', {
        provider: 'linkedin',
        name: 'B over Unipile',
        dsn: b.usher.url,
        apiKey: TEST_BOOTSTRAP_KEY,
        accountId: bAccount.id,
        plan: 'free',
        limits: { invitationsPerDay: 2, minSpacingSeconds: 0, jitterSeconds: 0 },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      account = created.body;
    });
    afterAll(() => pair?.stop());

    it("A resolves one of B's identities by handle and invites it with a note; B shows the incoming invitation", async () => {
      const resolved = await a.call('GET', `/v1/provider-accounts/${account.id}/users/yara-one`);
      expect(resolved.body).toEqual({
        provider: 'USHER',
        providerId: users['yara-one'],
        publicIdentifier: 'yara-one',
        firstName: 'yara',
        lastName: 'one',
      });
      expect((await a.call('GET', `/v1/provider-accounts/${account.id}/users/nobody-here`)).body).toMatchObject({
        status: 404,
        code: 'provider_user_not_found',
        providerType: 'errors/resource_not_found',
      });

      const created = await invite(account.id, resolved.body.providerId, 'Join us on Apollo');
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await a.until(
        async () => (await a.call('GET', `/v1/invitations/${created.body.id}`)).body.delivery.provider?.state,
        (state) => state === 'sent',
        'sent to B',
      );

      expect(await incomingOnB()).toEqual([
        expect.objectContaining({
          identityId: users['yara-one'],
          status: 'pending',
          message: 'Join us on Apollo',
          recipient: expect.objectContaining({ did: bAccount.did, name: bAccount.displayName }),
        }),
      ]);
      // Both ends list it: B's Unipile surface, and A through its connector.
      const onB = (await b.call('GET', `/api/v1/users/invite/sent?account_id=${bAccount.id}`)).body;
      expect(onB.items).toEqual([
        expect.objectContaining({
          invited_user_id: users['yara-one'],
          invited_user_public_id: 'yara-one',
          invitation_text: 'Join us on Apollo',
        }),
      ]);
      const viaA = (await a.call('GET', `/v1/provider-accounts/${account.id}/sent`)).body;
      expect(viaA.data).toEqual([
        expect.objectContaining({
          id: onB.items[0].id,
          invitedUserId: users['yara-one'],
          invitedUserPublicId: 'yara-one',
          text: 'Join us on Apollo',
        }),
      ]);
    });

    it('enforces a per-day limit of 2: the third invitation waits for the next slot, in the quota and the outbox', async () => {
      const second = await invite(account.id, users['yann-two']!);
      const third = await invite(account.id, users['yves-three']!);
      expect([second.status, third.status]).toEqual([201, 201]);
      await a.until(
        async () => (await a.call('GET', `/v1/invitations/${second.body.id}`)).body.delivery.provider?.state,
        (state) => state === 'sent',
        'second sent to B',
      );

      const first = (await a.call('GET', `/v1/invitations?channel=provider&sort=createdAt&order=asc`)).body.data[0];
      const firstSlot = Date.parse((await deliveryOf(first.id)).createdAt);
      const waiting = await deliveryOf(third.body.id);
      expect(waiting).toMatchObject({
        topic: 'provider.invite',
        state: 'queued',
        attempts: 0,
        nextAttemptAt: new Date(firstSlot + DAY).toISOString(),
      });

      const quota = (await a.call('GET', `/v1/provider-accounts/${account.id}`)).body.quota;
      expect(quota).toMatchObject({
        day: { limit: 2, used: 2, remaining: 0 },
        week: { limit: 150, used: 2, remaining: 148 },
        queued: 1,
      });
      expect(Date.parse(quota.nextSlot)).toBeGreaterThan(firstSlot + DAY);
      expect((await a.call('GET', '/v1/provider-accounts')).body.data[0].quota).toEqual(quota);
      expect((await incomingOnB()).map((i) => i.identityId).sort()).toEqual(
        [users['yara-one'], users['yann-two']].sort(),
      );
    });

    it("refuses a note over the limit with the provider's error code, whether A or B finds it too long", async () => {
      // A knows the free plan's 200 characters and refuses before anything is queued.
      const refused = await invite(account.id, users['zoe-four']!, 'x'.repeat(201));
      expect(refused.body).toMatchObject({
        status: 400,
        code: 'note_too_long',
        providerType: 'errors/too_many_characters',
        limit: 200,
        field: 'body.message',
      });

      // An account configured above B's 300 characters lets B refuse: the delivery fails at once with B's error type.
      const loose = (
        await a.call('POST', '/v1/provider-accounts', {
          provider: 'linkedin',
          dsn: b.usher.url,
          apiKey: TEST_BOOTSTRAP_KEY,
          accountId: bAccount.id,
          plan: 'paid',
          limits: { noteMaxLength: 1000 },
        })
      ).body;
      const created = await invite(loose.id, users['zoe-four']!, 'y'.repeat(301));
      expect(created.status).toBe(201);
      const failed = await a.until(
        () => deliveryOf(created.body.id),
        (d) => d.state === 'failed',
        'refused by B',
      );
      expect(failed).toMatchObject({
        attempts: 1,
        log: [expect.objectContaining({ outcome: 'failed', responseCode: 400 })],
      });
      expect(failed.lastError).toContain('errors/too_many_characters');
      expect((await incomingOnB()).filter((i) => i.identityId === users['zoe-four'])).toEqual([]);
      // B's own answer, as any Unipile client sees it.
      const direct = await fetch(`${b.usher.url}/api/v1/users/invite`, {
        method: 'POST',
        headers: { 'X-API-KEY': TEST_BOOTSTRAP_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ provider_id: users['zoe-four'], account_id: bAccount.id, message: 'y'.repeat(301) }),
      });
      expect(direct.status).toBe(400);
      expect(await direct.json()).toMatchObject({
        status: 400,
        type: 'errors/too_many_characters',
        title: 'Too many characters',
      });
    });

    it("withdraws at B an invitation A revokes after sending it: B's invitee sees it revoked, A's delivery says withdrawn", async () => {
      const sent = await outgoingOnA(users['yara-one']!);
      expect((await detailOnA(sent.id)).delivery.provider).toMatchObject({ state: 'sent' });
      expect((await a.call('POST', `/v1/invitations/${sent.id}/revoke`)).body).toMatchObject({ status: 'revoked' });

      const withdrawal = await a.until(
        async () => (await detailOnA(sent.id)).delivery.withdrawal,
        (w) => w?.state === 'sent' || w?.state === 'failed',
        'withdrawn at B',
      );
      expect(withdrawal).toMatchObject({ state: 'sent', reason: null });
      // B revoked its own outgoing invitation, and with it the invitee's incoming one, as its worker got to it.
      await b.until(
        async () => (await incomingOnB()).find((i) => i.identityId === users['yara-one'])?.status,
        (status) => status === 'revoked',
        'revoked on B',
      );
      // Neither end lists it as pending any more.
      const onB = (await b.call('GET', `/api/v1/users/invite/sent?account_id=${bAccount.id}`)).body.items as any[];
      expect(onB.map((i) => i.invited_user_id)).not.toContain(users['yara-one']);
      const viaA = (await a.call('GET', `/v1/provider-accounts/${account.id}/sent`)).body.data as any[];
      expect(viaA.map((i) => i.invitedUserId)).not.toContain(users['yara-one']);
      const log = (await a.call('GET', `/v1/invitations/${sent.id}/deliveries`)).body.data.find(
        (d: any) => d.topic === 'provider.withdraw',
      );
      expect(log).toMatchObject({
        state: 'sent',
        attempts: 1,
        log: [expect.objectContaining({ outcome: 'sent', responseCode: 200 })],
      });
    });

    it("shows a withdrawal B refuses as failed with B's error, tried once since a 4xx is final", async () => {
      const sent = await outgoingOnA(users['yann-two']!);
      // B's operator revoked B's side already: there is nothing left at B to cancel.
      const onB = (
        (await b.call('GET', `/api/v1/users/invite/sent?account_id=${bAccount.id}`)).body.items as any[]
      ).find((i) => i.invited_user_id === users['yann-two']);
      expect((await b.call('POST', `/v1/invitations/${onB.id}/revoke`)).body).toMatchObject({ status: 'revoked' });
      await a.call('POST', `/v1/invitations/${sent.id}/revoke`);

      const withdrawal = await a.until(
        async () => (await detailOnA(sent.id)).delivery.withdrawal,
        (w) => w?.state === 'sent' || w?.state === 'failed',
        'answered by B',
      );
      expect(withdrawal.state).toBe('failed');
      expect(withdrawal.reason).toMatch(/^HTTP 422 errors\/unprocessable_entity: /);
      const log = (await a.call('GET', `/v1/invitations/${sent.id}/deliveries`)).body.data.find(
        (d: any) => d.topic === 'provider.withdraw',
      );
      expect(log).toMatchObject({
        attempts: 1,
        log: [expect.objectContaining({ outcome: 'failed', responseCode: 422 })],
      });
      // B's own answers to a cancel, as any Unipile client sees them.
      const cancel = (id: string, accountId: string) =>
        fetch(`${b.usher.url}/api/v1/users/invite/sent/${id}?account_id=${accountId}`, {
          method: 'DELETE',
          headers: { 'X-API-KEY': TEST_BOOTSTRAP_KEY },
        });
      const again = await cancel(onB.id, bAccount.id);
      expect([again.status, await again.json()]).toEqual([
        422,
        expect.objectContaining({ type: 'errors/unprocessable_entity', code: 'invitation_not_pending' }),
      ]);
      const unknown = await cancel('0190a0b0-0000-7000-8000-000000000000', bAccount.id);
      expect([unknown.status, await unknown.json()]).toEqual([
        404,
        expect.objectContaining({ type: 'errors/resource_not_found', field: 'path.invitation_id' }),
      ]);
      const notMine = await cancel(onB.id, users['zoe-four']!);
      expect([notMine.status, await notMine.json()]).toEqual([
        404,
        expect.objectContaining({ type: 'errors/resource_not_found', field: 'path.invitation_id' }),
      ]);
    });

    it('sends nothing for an invitation revoked while it waits for its slot', async () => {
      const waiting = await outgoingOnA(users['yves-three']!);
      expect((await detailOnA(waiting.id)).delivery.provider).toMatchObject({ state: 'queued' });
      expect((await a.call('POST', `/v1/invitations/${waiting.id}/revoke`)).status).toBe(200);
      // Cancelled in the revoking transaction: no withdrawal is owed, the slot is back in the quota.
      expect((await detailOnA(waiting.id)).delivery).toEqual({
        provider: expect.objectContaining({ state: 'skipped' }),
      });
      const deliveries = (await a.call('GET', `/v1/invitations/${waiting.id}/deliveries`)).body.data;
      expect(deliveries).toEqual([
        expect.objectContaining({
          topic: 'provider.invite',
          state: 'skipped',
          attempts: 0,
          lastError: 'revoked before it was sent',
          log: [],
        }),
      ]);
      expect((await a.call('GET', `/v1/provider-accounts/${account.id}`)).body.quota).toMatchObject({ queued: 0 });
      expect((await incomingOnB()).filter((i) => i.identityId === users['yves-three'])).toEqual([]);
    });
  },
);
