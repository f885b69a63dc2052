import { describe, expect, it } from 'vitest';
import { genericPlanOf, statementsSent } from '#support/pg-statements';
import { engines } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';
import { lockInvitationToAccept } from './accept-read';
import type { AcceptorInput } from './public-schemas';
import { findInvitationByToken } from './queries';
import { acceptorKeyOf, memberOf } from './redeem';
import { tokenHashOf } from './tokens';

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

postgresOnly('an accept’s locked read, with the membership its member holds [postgres]', () => {
  const usher = useTestUsher('postgres');
  const read = (token: string, acceptor: AcceptorInput) =>
    usher.store.db
      .transaction()
      .execute((trx) => lockInvitationToAccept(trx, 'postgres', tokenHashOf(token)!, acceptorKeyOf(acceptor)));
  const link = async (body: Record<string, unknown> = {}) => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link', ...body } });
    expect(created.status).toBe(201);
    return tokenOf(created.body.url);
  };
  /** memberOf's key, or null where memberOf refuses (no one to admit). */
  const keyOf = (row: Parameters<typeof memberOf>[0], acceptor: AcceptorInput) => {
    try {
      return memberOf(row, acceptor).key;
    } catch {
      return null;
    }
  };

  it('looks up the key memberOf gives, for every kind of recipient and acceptor, beside the row as stored', async () => {
    const recipients = [
      { email: 'Ann@Example.com' },
      { did: 'did:example:ann' },
      { actorIri: 'https://social.example/users/ann' },
      { email: 'bo@example.com', did: 'did:example:bo' },
      undefined,
    ];
    const acceptors: AcceptorInput[] = [
      {},
      { subject: 'ann' },
      { email: 'Ann@Example.COM' },
      { did: 'did:example:x' },
      { actorIri: 'https://social.example/users/x' },
      { subject: 's', email: 'e@example.com' },
    ];
    for (const recipient of recipients) {
      const token = await link(recipient ? { recipient } : {});
      const stored = await findInvitationByToken(usher.store.db, tokenHashOf(token)!);
      for (const acceptor of acceptors) {
        const found = (await read(token, acceptor))!;
        expect(found.row).toEqual(stored);
        expect(found.seat).toEqual({ key: keyOf(found.row, acceptor), membership: null });
      }
    }
  });

  it('reads the membership the member holds in the target, and none of another member or target', async () => {
    const accepted = await usher.request('POST', `/v1/public/invitations/${await link()}/accept`, {
      key: null,
      body: { subject: 'carol' },
    });
    expect(accepted.status).toBe(200);
    const again = await link();
    const held = (await read(again, { subject: 'carol' }))!.seat!;
    expect(held.key).toBe('subject:carol');
    expect(held.membership).toMatchObject({ id: accepted.body.membership.id, member_key: 'subject:carol' });
    expect((await read(again, { subject: 'dave' }))!.seat!.membership).toBeNull();
    const elsewhere = await link({ target: { type: 'project', iri: 'https://example.com/p/other', name: 'Other' } });
    expect((await read(elsewhere, { subject: 'carol' }))!.seat!.membership).toBeNull();
  });

  it('reads the membership by its unique key even in a generic plan made while memberships is small', async () => {
    const token = await link();
    const sent = await statementsSent(() => read(token, { subject: 'erin' }));
    const seatRead = sent.find(({ text }) => text.startsWith('select "i".*'))!;
    // A plain join took memberships_tenant_created here and filtered every membership of the tenant on each accept.
    const plan = await genericPlanOf(usher.store.db, seatRead);
    expect(plan).toMatch(/Index Scan using memberships_member on memberships/);
    expect(plan).not.toMatch(/memberships_tenant_created/);
  });

  it('reads nothing for an unknown token', async () => {
    expect(await read('a'.repeat(43), { subject: 'carol' })).toBeNull();
  });
});
