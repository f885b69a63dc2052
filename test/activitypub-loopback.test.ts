import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiClient } from '#support/api-client';
import type { RunningUsher } from '#support/process';
import { describeEachStore } from '#support/stores';
import { startUsherPair, type UsherPair } from '#support/usher-pair';

/** The shared client, plus what these tests ask of an Usher. */
function client(usher: RunningUsher) {
  const api = apiClient(usher);
  const { call, until } = api;
  return {
    ...api,
    host: new URL(usher.url).host,
    async defaultHandle(): Promise<string> {
      return (await call('GET', '/v1/identities')).body.data[0].handle;
    },
    invitation: (id: string) =>
      until(
        async () => (await call('GET', `/v1/invitations/${id}`)).body,
        () => true,
        'read',
      ),
    /** Waits for the incoming invitation whose `from` actor is `actor`, in the status wanted. */
    incomingFrom: (actor: string, status: string) =>
      until(
        async () =>
          ((await call('GET', '/v1/invitations?direction=incoming&channel=activitypub')).body.data as any[]).find(
            (i) => i.recipient.actorIri === actor && i.status === status,
          ),
        (found) => Boolean(found),
        `an incoming ${status} invitation from ${actor}`,
      ),
  };
}

describeEachStore('two Usher processes inviting each other over ActivityPub on loopback', (engine) => {
  let pair: UsherPair;
  let a: ReturnType<typeof client>;
  let b: ReturnType<typeof client>;
  let bHandle: string;
  let aActor: string;
  beforeAll(async () => {
    pair = await startUsherPair(engine);
    a = client(pair.a);
    b = client(pair.b);
    bHandle = `@${await b.defaultHandle()}@${b.host}`;
    aActor = `${a.usher.url}/ap/users/${await a.defaultHandle()}`;
  });
  afterAll(() => pair?.stop());

  const project = { type: 'project', iri: 'https://a.example/projects/apollo', name: 'Apollo' };

  it('A invites B by handle; B sees the incoming invitation with its role and rules, accepts, and A records the membership', async () => {
    const created = await a.call('POST', '/v1/invitations', {
      channel: 'activitypub',
      recipient: { actorHandle: bHandle },
      target: project,
      role: 'admin',
      rules: ['Financeur', 'Directeur'],
      message: 'Join Apollo',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.url).toBe(`${a.usher.url}/ap/invites/${created.body.id}`);

    const incoming = await b.incomingFrom(aActor, 'pending');
    // Sent in the Communecter document's shape ({ as: "adminandrole", rules }) and read back as admin with its rules;
    // the target arrives as the host application's own IRI, with its name, not A's stand-in.
    expect(incoming).toMatchObject({
      direction: 'incoming',
      role: 'admin',
      rules: ['Financeur', 'Directeur'],
      message: 'Join Apollo',
      target: project,
    });

    const accepted = await b.call('POST', `/v1/invitations/${incoming.id}/accept`);
    expect(accepted.body.status).toBe('accepted');
    const onA = await a.until(
      () => a.invitation(created.body.id),
      (i: any) => i.status === 'accepted',
      'accepted on A',
    );
    expect(onA.recipient.actorIri).toMatch(new RegExp(`^${b.usher.url}/ap/users/`));
    // The handle's actor was stored as an update of its own, with its event, before B's answer was checked against it.
    const events = (await a.call('GET', `/v1/invitations/${created.body.id}/events`)).body.data as any[];
    expect(events.map((e) => e.type)).toEqual(['invitation.created', 'invitation.updated', 'invitation.accepted']);
    expect(events[1]).toMatchObject({
      actor: 'system',
      previousStatus: 'pending',
      status: 'pending',
      data: { fields: ['recipient'] },
    });
    const memberships = (await a.call('GET', `/v1/memberships?target=${encodeURIComponent(project.iri)}`)).body.data;
    expect(memberships).toEqual([
      expect.objectContaining({
        role: 'admin',
        rules: ['Financeur', 'Directeur'],
        member: expect.objectContaining({ actorIri: onA.recipient.actorIri }),
      }),
    ]);
  });

  it('a decline reaches A as a Reject, and a maybe as a TentativeAccept that can still become yes', async () => {
    const bActor = `${b.usher.url}/ap/users/${await b.defaultHandle()}`;
    const declined = (
      await a.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorIri: bActor },
        target: { ...project, iri: 'https://a.example/projects/gemini', name: 'Gemini' },
      })
    ).body;
    const maybe = (
      await a.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorIri: bActor },
        target: { type: 'event', iri: 'https://a.example/events/launch', name: 'Launch' },
      })
    ).body;
    const incomingDeclined = await b.until(
      async () =>
        ((await b.call('GET', '/v1/invitations?direction=incoming&status=pending')).body.data as any[]).find(
          (i) => i.target.name === 'Gemini',
        ),
      (found) => Boolean(found),
      'Gemini arrives',
    );
    const incomingMaybe = await b.until(
      async () =>
        ((await b.call('GET', '/v1/invitations?direction=incoming&status=pending')).body.data as any[]).find(
          (i) => i.target.name === 'Launch',
        ),
      (found) => Boolean(found),
      'Launch arrives',
    );
    expect(incomingMaybe.target.type).toBe('event');

    expect((await b.call('POST', `/v1/invitations/${incomingDeclined.id}/decline`)).body.status).toBe('declined');
    await a.until(
      () => a.invitation(declined.id),
      (i: any) => i.status === 'declined',
      'declined on A',
    );

    expect((await b.call('POST', `/v1/invitations/${incomingMaybe.id}/tentative-accept`)).body.status).toBe(
      'tentative',
    );
    await a.until(
      () => a.invitation(maybe.id),
      (i: any) => i.status === 'tentative',
      'tentative on A',
    );
    expect((await b.call('POST', `/v1/invitations/${incomingMaybe.id}/accept`)).body.status).toBe('accepted');
    await a.until(
      () => a.invitation(maybe.id),
      (i: any) => i.status === 'accepted',
      'accepted on A after the maybe',
    );
  });

  it("revoking sends an Undo: B's incoming invitation is withdrawn", async () => {
    const created = (
      await a.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorHandle: bHandle },
        target: { ...project, iri: 'https://a.example/projects/artemis', name: 'Artemis' },
      })
    ).body;
    const incoming = await b.until(
      async () =>
        ((await b.call('GET', '/v1/invitations?direction=incoming')).body.data as any[]).find(
          (i) => i.target.name === 'Artemis',
        ),
      (found) => Boolean(found),
      'Artemis arrives',
    );
    expect((await a.call('POST', `/v1/invitations/${created.id}/revoke`)).body.status).toBe('revoked');
    await b.until(
      () => b.invitation(incoming.id),
      (i: any) => i.status === 'revoked',
      'revoked on B',
    );
    const accepting = await b.call('POST', `/v1/invitations/${incoming.id}/accept`);
    expect(accepting).toMatchObject({ status: 410, body: { code: 'invitation_revoked' } });
  });

  it('reads the other shape too: a tenant that puts the invitee in target', async () => {
    await a.call('PATCH', '/v1/tenant', { settings: { activityPubInviteShape: 'target-invitee' } });
    try {
      await a.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorHandle: bHandle },
        target: { ...project, iri: 'https://a.example/projects/mercury', name: 'Mercury' },
        role: 'contributor',
      });
      const incoming = await b.until(
        async () =>
          ((await b.call('GET', '/v1/invitations?direction=incoming')).body.data as any[]).find(
            (i) => i.target.name === 'Mercury',
          ),
        (found) => Boolean(found),
        'Mercury arrives',
      );
      expect(incoming).toMatchObject({ role: 'contributor', rules: [], status: 'pending' });
    } finally {
      await a.call('PATCH', '/v1/tenant', { settings: { activityPubInviteShape: 'object-invitee' } });
    }
  });
});
