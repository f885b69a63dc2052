import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { useTestUsher } from '#support/usher';

describeEachStore('input the engines would disagree on, or that could crash a parser', (engine) => {
  const usher = useTestUsher(engine);

  it('refuses the NUL character in a body, a path or a query, naming where', async () => {
    const body = await usher.request('POST', '/v1/contacts', { body: { name: 'a\u0000b' } });
    expect(body.status).toBe(400);
    expect(body.body).toMatchObject({ code: 'validation_failed', field: 'body.name' });
    const nested = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', metadata: { deep: ['ok', 'x\u0000'] } },
    });
    expect(nested.body.field).toBe('body.metadata.deep.1');
    expect((await usher.request('GET', '/v1/contacts/%00')).body.field).toBe('path');
    expect((await usher.request('GET', '/v1/invitations?email=%00')).body.field).toBe('query');
    expect((await usher.request('GET', '/v1/contacts?limit=200')).body.data).toEqual([]);
  });

  it('refuses metadata nested deeper than 8 levels without overflowing the stack', async () => {
    const deep = `{"channel":"link","metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await usher.request('POST', '/v1/invitations', {
      raw: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body.metadata');
    const ok = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', metadata: { a: { b: { c: [1, 2, { d: true }] } } } },
    });
    expect(ok.status).toBe(201);
  });

  it('refuses a missing body on a route that needs one, and an empty patch', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    const before = await usher.request('GET', `/v1/invitations/${created.body.id}`);
    const noBody = await usher.request('PATCH', `/v1/invitations/${created.body.id}`);
    expect(noBody.status).toBe(415);
    expect(noBody.body).toMatchObject({ code: 'unsupported_media_type', field: 'header.content-type' });
    const empty = await usher.request('PATCH', `/v1/invitations/${created.body.id}`, { body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain('at least one field');
    expect((await usher.request('POST', '/v1/contacts')).status).toBe(415);
    expect((await usher.request('PATCH', '/v1/tenant', { body: {} })).status).toBe(400);
    expect(await usher.request('GET', `/v1/invitations/${created.body.id}`)).toMatchObject({ body: before.body });
    const events = await usher.request('GET', `/v1/invitations/${created.body.id}/events`);
    expect(events.body.data).toHaveLength(1);
  });

  it('still accepts a bodiless POST where no body is needed', async () => {
    const created = await usher.request('POST', '/v1/invitations', { body: { channel: 'link' } });
    expect((await usher.request('POST', `/v1/invitations/${created.body.id}/revoke`)).status).toBe(200);
  });
});
