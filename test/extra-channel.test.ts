import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';
import { pigeonChannel, PIGEON_TOPIC } from '../test/fixtures/pigeon-channel/index';

// A channel is one folder: test/fixtures/pigeon-channel/ declares everything, and this suite
// registers it with one line, as a deployment would. Nothing in src/ names it.
describeEachStore('a channel registered by one line', (engine) => {
  const loft = mkdtempSync(join(tmpdir(), 'usher-loft-'));
  afterAll(() => rmSync(loft, { recursive: true, force: true }));
  const usher = useTestUsher(engine, { extraChannels: (ports) => [pigeonChannel(ports, loft)] });
  const flyAll = async () => {
    while ((await usher.worker.runOnce()) > 0) {
      // until nothing is due
    }
  };

  it('is in the API document: the channel enum and its options', async () => {
    const document = (await usher.request('GET', '/openapi.json', { key: null })).body;
    const create = document.components.schemas.CreateInvitation;
    expect(create.properties.channel.enum).toEqual(['email', 'link', 'didcomm', 'activitypub', 'provider', 'pigeon']);
    expect(create.properties.pigeon.properties.ring).toBeDefined();
  });

  it('refuses what its check and its options refuse, naming the field, and writes nothing', async () => {
    const noName = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'pigeon', pigeon: { ring: 'NL-2026-1' } },
    });
    expect(noName.status).toBe(400);
    expect(noName.body).toMatchObject({ code: 'recipient_required', field: 'body.recipient.name' });
    const badRing = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'pigeon', pigeon: { ring: 'one' }, recipient: { name: 'Piet' } },
    });
    expect(badRing.status).toBe(400);
    expect(badRing.body.errors?.[0]?.field ?? badRing.body.field).toBe('body.pigeon.ring');
    const onEmail = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'email', pigeon: { ring: 'NL-2026-1' }, recipient: { email: 'a@example.test' } },
    });
    expect(onEmail.status).toBe(400);
    expect(onEmail.body).toMatchObject({ code: 'channel_options_mismatch', field: 'body.pigeon' });
    expect((await usher.request('GET', '/v1/invitations?channel=pigeon')).body.data).toEqual([]);
    expect(readdirSync(loft)).toEqual([]);
  });

  it('creates, delivers through its own handler, and is accepted', async () => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'pigeon', pigeon: { ring: 'NL-2026-1234' }, recipient: { name: 'Piet' }, role: 'member' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ channel: 'pigeon', status: 'pending' });
    await flyAll();
    const [name, url] = readFileSync(join(loft, `${created.body.id}.txt`), 'utf8')
      .trim()
      .split('\n');
    expect(name).toBe('Piet');
    expect(url).toBe(created.body.url);
    const deliveries = (await usher.request('GET', `/v1/invitations/${created.body.id}/deliveries`)).body.data;
    expect(deliveries).toEqual([expect.objectContaining({ topic: PIGEON_TOPIC, state: 'sent' })]);

    const accepted = await usher.request('POST', `/v1/public/invitations/${tokenOf(url!)}/accept`, {
      key: null,
      body: { name: 'Piet', subject: 'piet' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.acceptanceToken.token).toMatch(/^ey/);
    expect((await usher.request('GET', `/v1/invitations/${created.body.id}`)).body).toMatchObject({
      status: 'accepted',
      usesCount: 1,
    });
    expect((await usher.request('GET', '/v1/invitations?channel=pigeon')).body.data).toHaveLength(1);
  });
});
