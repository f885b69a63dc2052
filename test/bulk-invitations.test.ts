import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

const apollo = { type: 'project', iri: 'https://example.com/p/apollo', name: 'Apollo' } as const;

describeEachStore('creating invitations in bulk', (engine) => {
  const usher = useTestUsher(engine);

  const countInvitations = async (key?: string) =>
    Number(
      (
        await usher.store.db
          .selectFrom('invitations')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', key ?? usher.tenant.tenant.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const countOutbox = async () =>
    Number(
      (
        await usher.store.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates two thousand in one call and says per item what happened: created, duplicate or invalid', async () => {
    const items: unknown[] = Array.from({ length: 2000 }, (_, i) => ({
      recipient: { email: `person${i}@example.com`, name: `Person ${i}` },
    }));
    items[10] = { recipient: { email: 'not-an-email' } };
    items[11] = { recipient: { email: 'person5@EXAMPLE.com' } }; // the same person as item 5, differently spelled
    items[12] = { channel: 'link', purpose: 'bulk-door' };
    items[13] = { channel: 'link', purpose: 'bulk-door' }; // purpose taken by the item before it
    items[14] = 'just a string';
    items[15] = { recipient: { email: 'x@example.com' }, unknownField: 1 };
    const before = { invitations: await countInvitations(), outbox: await countOutbox() };

    const res = await usher.request('POST', '/v1/invitations/bulk', {
      body: { defaults: { target: apollo, role: 'contributor', message: 'Join Apollo' }, items },
    });

    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.summary).toEqual({ created: 1995, duplicate: 1, invalid: 4 });
    expect(res.body.results).toHaveLength(2000);
    expect(res.body.results.map((r: { index: number }) => r.index)).toEqual(items.map((_, i) => i));
    const first = res.body.results[0];
    expect(first).toMatchObject({
      outcome: 'created',
      invitation: {
        status: 'pending',
        role: 'contributor',
        message: 'Join Apollo',
        target: { iri: apollo.iri },
        recipient: { email: 'person0@example.com', name: 'Person 0' },
      },
    });
    expect(first.invitation.url).toMatch(/\/i\/[\w-]+$/);
    expect(res.body.results[11]).toEqual({
      index: 11,
      outcome: 'duplicate',
      existingInvitationId: res.body.results[5].invitation.id,
    });
    expect(res.body.results[10]).toMatchObject({
      outcome: 'invalid',
      problem: { code: 'validation_failed', field: 'body.items.10.recipient.email' },
    });
    expect(res.body.results[12]).toMatchObject({
      outcome: 'created',
      invitation: { channel: 'link', purpose: 'bulk-door' },
    });
    expect(res.body.results[13]).toMatchObject({
      outcome: 'invalid',
      problem: { code: 'purpose_taken', field: 'body.items.13.purpose' },
    });
    expect(res.body.results[14]).toMatchObject({
      outcome: 'invalid',
      problem: { code: 'validation_failed', field: 'body.items.14' },
    });
    expect(res.body.results[15]).toMatchObject({
      outcome: 'invalid',
      problem: { code: 'validation_failed', field: 'body.items.15.unknownField' },
    });

    // Exactly the created ones are stored, and each email invitation queued its message.
    expect(await countInvitations()).toBe(before.invitations + 1995);
    expect(await countOutbox()).toBe(before.outbox + 1994);
    const link = await usher.request('GET', `/v1/public/invitations/${first.invitation.url.split('/i/')[1]}`, {
      key: null,
    });
    expect(link.body).toMatchObject({ status: 'pending', role: 'contributor' });
  });

  it('creates nobody twice when the same list is sent again: pending recipients come back as duplicates', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ recipient: { email: `rerun${i}@example.com` } }));
    const first = await usher.request('POST', '/v1/invitations/bulk', {
      body: { defaults: { target: apollo }, items },
    });
    expect(first.body.summary).toEqual({ created: 50, duplicate: 0, invalid: 0 });
    const before = await countInvitations();

    const again = await usher.request('POST', '/v1/invitations/bulk', {
      body: { defaults: { target: apollo }, items },
    });

    expect(again.body.summary).toEqual({ created: 0, duplicate: 50, invalid: 0 });
    expect(again.body.results.map((r: { existingInvitationId: string }) => r.existingInvitationId)).toEqual(
      first.body.results.map((r: { invitation: { id: string } }) => r.invitation.id),
    );
    expect(await countInvitations()).toBe(before);
    // Another target is another invitation.
    const elsewhere = await usher.request('POST', '/v1/invitations/bulk', { body: { items: items.slice(0, 2) } });
    expect(elsewhere.body.summary).toEqual({ created: 2, duplicate: 0, invalid: 0 });
  });

  it('replays a call with the same Idempotency-Key, links left out, and refuses the key for another body', async () => {
    const body = { defaults: { channel: 'link' }, items: [{ label: 'door a' }, { label: 'door b' }] };
    const headers = { 'Idempotency-Key': `bulk-${engine}` };
    const first = await usher.request('POST', '/v1/invitations/bulk', { body, headers });
    const before = await countInvitations();

    const replay = await usher.request('POST', '/v1/invitations/bulk', { body, headers });

    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.results.map((r: { invitation: { id: string } }) => r.invitation.id)).toEqual(
      first.body.results.map((r: { invitation: { id: string } }) => r.invitation.id),
    );
    expect(replay.body.results.every((r: { invitation: { url: string | null } }) => r.invitation.url === null)).toBe(
      true,
    );
    expect(first.body.results.every((r: { invitation: { url: string | null } }) => r.invitation.url !== null)).toBe(
      true,
    );
    expect(await countInvitations()).toBe(before);

    const reused = await usher.request('POST', '/v1/invitations/bulk', {
      body: { ...body, items: [{ label: 'door c' }] },
      headers,
    });
    expect(reused).toMatchObject({
      status: 422,
      body: { code: 'idempotency_key_reused', field: 'header.idempotency-key' },
    });
    expect(await countInvitations()).toBe(before);
  });

  it('merges recipient and metadata key by key, and lets an item override a default', async () => {
    const res = await usher.request('POST', '/v1/invitations/bulk', {
      body: {
        defaults: {
          channel: 'link',
          role: 'viewer',
          metadata: { batch: 'b1', source: 'csv' },
          recipient: { name: 'Guest' },
        },
        items: [{ metadata: { row: 1 } }, { role: 'editor', recipient: { name: 'Bea' }, metadata: { source: 'hand' } }],
      },
    });
    expect(res.body.results[0].invitation).toMatchObject({
      role: 'viewer',
      metadata: { batch: 'b1', source: 'csv', row: 1 },
      recipient: { name: 'Guest' },
    });
    expect(res.body.results[1].invitation).toMatchObject({
      role: 'editor',
      metadata: { batch: 'b1', source: 'hand' },
      recipient: { name: 'Bea' },
    });
  });

  it('refuses a malformed call as a whole, with the field at fault, and stores nothing', async () => {
    const before = await countInvitations();
    const cases: Array<[unknown, string]> = [
      [{ items: [] }, 'body.items'],
      [{ items: Array.from({ length: 5001 }, () => ({ channel: 'link' })) }, 'body.items'],
      [{ defaults: { channel: 'carrier-pigeon' }, items: [{}] }, 'body.defaults.channel'],
      [{ items: [{ channel: 'link' }], extra: true }, 'body.extra'],
    ];
    for (const [body, field] of cases) {
      const res = await usher.request('POST', '/v1/invitations/bulk', { body });
      expect(res, field).toMatchObject({ status: 400, body: { code: 'validation_failed', field } });
    }
    const huge = await usher.request('POST', '/v1/invitations/bulk', {
      raw: JSON.stringify({ items: [{ message: 'x'.repeat(9 * 1024 * 1024) }] }),
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
    expect(await countInvitations()).toBe(before);
  });

  it('checks duplicates within the calling tenant only', async () => {
    const other = await usher.createTenant('Bulk elsewhere');
    const items = [{ recipient: { email: 'person1@example.com' } }];
    const res = await usher.request('POST', '/v1/invitations/bulk', {
      key: other.apiKey.key,
      body: { defaults: { target: apollo }, items },
    });
    expect(res.body.summary).toEqual({ created: 1, duplicate: 0, invalid: 0 });
    expect(await countInvitations(other.tenant.id)).toBe(1);
  });
});
