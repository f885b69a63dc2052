import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('listing invitations', (engine) => {
  const usher = useTestUsher(engine);
  const ids: string[] = [];
  let contactId: string;
  let start: Date;

  beforeAll(async () => {
    start = usher.clock.now();
    contactId = (await usher.request('POST', '/v1/contacts', { body: { email: 'Contact@Example.com', name: 'C' } }))
      .body.id;
    for (let i = 0; i < 25; i++) {
      usher.clock.advance(1000);
      const body =
        i % 5 === 0
          ? { recipient: { contactId }, target: { type: 'project', iri: `https://example.com/p/${i}`, name: `P${i}` } }
          : i % 2 === 0
            ? {
                recipient: { email: `user${i}@Example.com` },
                expiresAt: new Date(usher.clock.now().getTime() + (30 - i) * 3600_000).toISOString(),
              }
            : { channel: 'link', purpose: `purpose-${i}` };
      const res = await usher.request('POST', '/v1/invitations', { body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id);
    }
    usher.clock.advance(1000);
    await usher.request('POST', `/v1/invitations/${ids[3]}/revoke`);
  });

  async function walk(query: string): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await usher.request(
        'GET',
        `/v1/invitations?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.data.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  }

  it('pages through everything newest first, each invitation exactly once', async () => {
    expect(await walk('sort=createdAt')).toEqual([...ids].reverse());
  });

  it('pages oldest first when asked', async () => {
    expect(await walk('sort=createdAt&order=asc')).toEqual(ids);
  });

  it('sorts by expiry and by last update', async () => {
    const byExpiry = (await walk('sort=expiresAt&order=asc')).slice(0, 3);
    const all = (await usher.request('GET', '/v1/invitations?limit=200')).body.data;
    const expected = [...all]
      .sort((a: any, b: any) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id))
      .map((i: any) => i.id);
    expect(byExpiry).toEqual(expected.slice(0, 3));
    expect((await walk('sort=updatedAt&order=desc'))[0]).toBe(ids[3]);
  });

  it('filters by status, channel, recipient email case-insensitively, contact, target and purpose', async () => {
    expect(await walk('status=revoked')).toEqual([ids[3]]);
    expect((await walk('channel=link')).length).toBe(10);
    expect(await walk('email=USER2@example.COM')).toEqual([ids[2]]);
    expect(await walk('email=contact@example.com')).toEqual([ids[20], ids[15], ids[10], ids[5], ids[0]]);
    expect(await walk(`contactId=${contactId}`)).toHaveLength(5);
    expect(await walk(`target=${encodeURIComponent('https://example.com/p/10')}`)).toEqual([ids[10]]);
    expect(await walk('purpose=purpose-7')).toEqual([ids[7]]);
    expect((await walk('target=tenant')).length).toBe(20);
  });

  it('filters by a created range, inclusive at the start and exclusive at the end', async () => {
    const after = new Date(start.getTime() + 5000).toISOString();
    const before = new Date(start.getTime() + 10_000).toISOString();
    expect(await walk(`createdAfter=${after}&createdBefore=${before}&order=asc`)).toEqual(ids.slice(4, 9));
  });

  it('refuses a bad cursor, sort or filter value with the field at fault', async () => {
    for (const [query, field] of [
      ['cursor=not-a-cursor', 'query.cursor'],
      ['sort=name', 'query.sort'],
      ['status=lost', 'query.status'],
      ['limit=0', 'query.limit'],
      ['limit=abc', 'query.limit'],
      ['createdAfter=yesterday', 'query.createdAfter'],
      ['colour=red', 'query.colour'],
    ] as const) {
      const res = await usher.request('GET', `/v1/invitations?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.field, query).toBe(field);
    }
  });
});

describeEachStore('listing expired invitations', (engine) => {
  const usher = useTestUsher(engine);

  it('pages through stored and lapsed ones as one list, in either order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      usher.clock.advance(1000);
      const res = await usher.request('POST', '/v1/invitations', {
        body: { channel: 'link', expiresAt: new Date(usher.clock.now().getTime() + 3600_000).toISOString() },
      });
      ids.push(res.body.id);
    }
    const open = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    usher.clock.advance(2 * 3600_000);
    // The four oldest are stored as expired by a sweep; the other five stay pending past their end until the next one.
    expect(await usher.invitations.sweepExpired(4)).toBe(4);
    const stored = await usher.store.db
      .selectFrom('invitations')
      .select('id')
      .where('status', '=', 'expired')
      .execute();
    expect(stored.map((r) => r.id).sort()).toEqual(ids.slice(0, 4).sort());
    for (const order of ['desc', 'asc'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await usher.request(
          'GET',
          `/v1/invitations?status=expired&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.data.every((i: { status: string }) => i.status === 'expired')).toBe(true);
        seen.push(...res.body.data.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(order === 'desc' ? [...ids].reverse() : ids);
      expect(seen).not.toContain(open.body.id);
    }
  });
});
