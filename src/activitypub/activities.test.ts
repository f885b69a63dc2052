import { describe, expect, it } from 'vitest';
import { buildInvite, readInstrument, targetOf, withInvitee } from './activities';

const content = {
  id: 'https://usher.example/ap/invites/1',
  actor: 'https://usher.example/ap/users/yorre',
  invitee: 'https://communecter.org/api/activitypub/users/u/ArmelWanes',
  target: 'https://usher.example/ap/targets/abc',
  role: null,
  rules: [],
  message: null,
  published: '2026-11-25T10:00:00.000Z',
};

describe('Invite activities', () => {
  it('sends the target as an object whose id is its real IRI, with its name; the stand-in only without one', () => {
    const standIn = 'https://usher.example/ap/targets/abc';
    const project = targetOf(
      { type: 'project', iri: 'https://communecter.org/projects/apollo', name: 'Apollo' },
      standIn,
    );
    expect(project).toEqual({ type: 'Object', id: 'https://communecter.org/projects/apollo', name: 'Apollo' });
    expect(targetOf({ type: 'event', iri: 'https://x.example/e/1', name: null }, standIn)).toEqual({
      type: 'Event',
      id: 'https://x.example/e/1',
    });
    expect(targetOf({ type: 'project', iri: null, name: 'Apollo' }, standIn)).toBe(standIn);
    expect(buildInvite({ ...content, target: project }, 'object-invitee').target).toEqual(project);
  });

  it("writes the seed's shapes: object = invitee, target = project, instrument as a bare role or { as, rules }", () => {
    expect(buildInvite({ ...content, role: 'admin' }, 'object-invitee')).toMatchObject({
      type: 'Invite',
      object: content.invitee,
      target: content.target,
      instrument: 'admin',
    });
    expect(
      buildInvite({ ...content, role: 'admin', rules: ['Financeur', 'Directeur'] }, 'object-invitee').instrument,
    ).toEqual({ as: 'adminandrole', rules: 'Financeur,Directeur' });
    expect(buildInvite({ ...content, role: 'editor', rules: ['Financeur'] }, 'object-invitee').instrument).toEqual({
      as: 'editor',
      rules: 'Financeur',
    });
    expect(buildInvite(content, 'object-invitee')).not.toHaveProperty('instrument');
  });

  it("writes the ActivityStreams example's shape when the tenant asks: object = event, target = invitee", () => {
    expect(buildInvite(content, 'target-invitee')).toMatchObject({
      object: content.target,
      target: content.invitee,
      to: [content.invitee],
    });
  });

  it('reads every instrument of the seed, and the shapes other servers use', () => {
    expect(readInstrument('admin')).toEqual({ role: 'admin', rules: [] });
    expect(readInstrument({ as: 'contributor' })).toEqual({ role: 'contributor', rules: [] });
    expect(readInstrument({ as: 'adminandrole', rules: 'Financeur,Directeur' })).toEqual({
      role: 'admin',
      rules: ['Financeur', 'Directeur'],
    });
    expect(readInstrument('adminandrole')).toEqual({ role: 'admin', rules: [] });
    expect(readInstrument({ type: 'Object', name: 'maintainer' })).toEqual({ role: 'maintainer', rules: [] });
    expect(readInstrument('https://forge.example/roles/developer')).toEqual({ role: 'developer', rules: [] });
    expect(readInstrument(undefined)).toEqual({ role: null, rules: [] });
  });

  it("puts the resolved actor IRI wherever the invitee's handle stood", () => {
    const invite = buildInvite({ ...content, invitee: 'armel@communecter.org' }, 'object-invitee');
    expect(withInvitee(invite, 'armel@communecter.org', content.invitee)).toMatchObject({
      object: content.invitee,
      to: [content.invitee],
      target: content.target,
    });
  });
});
