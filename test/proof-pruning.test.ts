/**
 * The housekeeping sweep deletes email codes and DID challenges past their expiry, and keeps the live ones: nothing
 * else removes a code or a challenge that nobody came back for.
 */
import { expect, it } from 'vitest';
import { pruneExpiredProofs } from '#invitations';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

const MINUTE = 60_000;
const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

describeEachStore('pruning expired email codes and DID challenges', (engine) => {
  const usher = useTestUsher(engine);
  const post = async (path: string, body?: Record<string, unknown>, key?: null) => {
    const res = await usher.request('POST', path, { ...(key === null ? { key } : {}), ...(body ? { body } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  };
  const publicPath = (url: string, step: string) => `/v1/public/invitations/${tokenOf(url)}/${step}`;
  const link = (extra: Record<string, unknown>) => post('/v1/invitations', { channel: 'link', ...extra });
  const left = async (table: 'email_proofs' | 'did_challenges', invitationIds: string[]) =>
    (
      await usher.store.db
        .selectFrom(table)
        .select('invitation_id')
        .where('invitation_id', 'in', invitationIds)
        .execute()
    )
      .map((row) => row.invitation_id)
      .sort();

  it('deletes what has expired and keeps what still works', async () => {
    const domains = await link({ usesAllowed: 5, allowedDomains: ['example.com'] });
    const [first, second] = [await link({ recipient: { did: DID } }), await link({ recipient: { did: DID } })];
    // At 0: a code for Ann (10 minutes) and a challenge on the first invitation (5 minutes).
    await post(publicPath(domains.url, 'email-code'), { email: 'ann@example.com' }, null);
    await post(publicPath(first.url, 'did-challenge'), undefined, null);
    usher.clock.advance(6 * MINUTE);
    // At 6: a code for Bob and a challenge on the second invitation.
    await post(publicPath(domains.url, 'email-code'), { email: 'bob@example.com' }, null);
    await post(publicPath(second.url, 'did-challenge'), undefined, null);
    usher.clock.advance(4 * MINUTE + 30_000);

    // At 10½: Ann's code and the first challenge have expired; Bob's and the second have not.
    const pruned = await pruneExpiredProofs(usher.store.db, usher.clock.now());
    expect(pruned).toEqual({ emailProofs: 1, didChallenges: 1 });
    const emails = await usher.store.db
      .selectFrom('email_proofs')
      .select('email')
      .where('invitation_id', '=', domains.id)
      .execute();
    expect(emails.map((row) => row.email)).toEqual(['bob@example.com']);
    expect(await left('did_challenges', [first.id, second.id])).toEqual([second.id]);

    // At 16½ Bob's code and the second challenge have expired too.
    usher.clock.advance(6 * MINUTE);
    expect(await pruneExpiredProofs(usher.store.db, usher.clock.now())).toEqual({ emailProofs: 1, didChallenges: 1 });
    expect(await left('email_proofs', [domains.id])).toEqual([]);
  });
});
