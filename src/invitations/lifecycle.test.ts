import { describe, expect, it } from 'vitest';
import { effectiveStatus, transition, type LifecycleState } from './lifecycle';

const now = new Date('2026-01-10T12:00:00.000Z');
const pending = (overrides: Partial<LifecycleState> = {}): LifecycleState => ({
  status: 'pending',
  usesAllowed: 1,
  usesCount: 0,
  startsAt: null,
  expiresAt: '2026-01-17T12:00:00.000Z',
  ...overrides,
});

describe('transition', () => {
  it('accepts a single-use invitation into accepted, counting the use', () => {
    expect(transition(pending(), 'accept', now)).toEqual({
      ok: true,
      value: { previousStatus: 'pending', status: 'accepted', usesCount: 1, events: ['invitation.accepted'] },
    });
  });

  it('keeps a multi-use invitation pending until its last use, then exhausts it', () => {
    const third = transition(pending({ usesAllowed: 5, usesCount: 2 }), 'accept', now);
    expect(third).toMatchObject({
      ok: true,
      value: { status: 'pending', usesCount: 3, events: ['invitation.accepted'] },
    });
    const last = transition(pending({ usesAllowed: 5, usesCount: 4 }), 'accept', now);
    expect(last).toMatchObject({
      ok: true,
      value: { status: 'exhausted', usesCount: 5, events: ['invitation.accepted', 'invitation.exhausted'] },
    });
  });

  it('never exhausts an unlimited invitation', () => {
    expect(transition(pending({ usesAllowed: null, usesCount: 10_000 }), 'accept', now)).toMatchObject({
      ok: true,
      value: { status: 'pending' },
    });
  });

  it('refuses to accept before the window opens', () => {
    expect(transition(pending({ startsAt: '2026-01-11T00:00:00.000Z' }), 'accept', now)).toEqual({
      ok: false,
      refusal: 'invitation_not_yet_active',
    });
  });

  it('treats the expiry instant itself as expired', () => {
    expect(transition(pending({ expiresAt: now.toISOString() }), 'accept', now)).toEqual({
      ok: false,
      refusal: 'invitation_expired',
    });
  });

  it.each([
    ['accepted', 'invitation_already_accepted'],
    ['declined', 'invitation_declined'],
    ['revoked', 'invitation_revoked'],
    ['expired', 'invitation_expired'],
    ['exhausted', 'invitation_exhausted'],
  ] as const)('refuses the invitee on a %s invitation with %s', (status, refusal) => {
    expect(transition(pending({ status }), 'accept', now)).toEqual({ ok: false, refusal });
    expect(transition(pending({ status }), 'decline', now)).toEqual({ ok: false, refusal });
  });

  it.each(['revoke', 'resend', 'update'] as const)('refuses %s once the invitation is no longer pending', (action) => {
    for (const status of ['accepted', 'declined', 'revoked', 'expired', 'exhausted'] as const) {
      expect(transition(pending({ status }), action, now)).toEqual({ ok: false, refusal: 'invitation_not_pending' });
    }
    expect(transition(pending({ expiresAt: '2026-01-01T00:00:00.000Z' }), action, now)).toEqual({
      ok: false,
      refusal: 'invitation_not_pending',
    });
  });

  it('declines only single-use invitations, so one person cannot close a shared link', () => {
    expect(transition(pending(), 'decline', now)).toMatchObject({
      ok: true,
      value: { status: 'declined', events: ['invitation.declined'] },
    });
    expect(transition(pending({ usesAllowed: 5 }), 'decline', now)).toEqual({
      ok: false,
      refusal: 'invitation_multi_use',
    });
  });

  it('revokes, resends and updates a pending invitation with the matching event', () => {
    expect(transition(pending(), 'revoke', now)).toMatchObject({
      ok: true,
      value: { status: 'revoked', events: ['invitation.revoked'] },
    });
    expect(transition(pending(), 'resend', now)).toMatchObject({
      ok: true,
      value: { status: 'pending', events: ['invitation.resent'] },
    });
    expect(transition(pending(), 'update', now)).toMatchObject({
      ok: true,
      value: { status: 'pending', events: ['invitation.updated'] },
    });
  });

  it('expires only a pending invitation whose time has come', () => {
    expect(transition(pending({ expiresAt: '2026-01-10T11:59:59.999Z' }), 'expire', now)).toMatchObject({
      ok: true,
      value: { previousStatus: 'pending', status: 'expired', events: ['invitation.expired'] },
    });
    expect(transition(pending(), 'expire', now)).toEqual({ ok: false, refusal: 'invitation_not_expired' });
    expect(transition(pending({ status: 'accepted', expiresAt: '2026-01-01T00:00:00.000Z' }), 'expire', now)).toEqual({
      ok: false,
      refusal: 'invitation_not_expired',
    });
  });
});

describe('effectiveStatus', () => {
  it('reads a pending invitation past its expiry as expired, and leaves others alone', () => {
    expect(effectiveStatus(pending({ expiresAt: '2026-01-01T00:00:00.000Z' }), now)).toBe('expired');
    expect(effectiveStatus(pending(), now)).toBe('pending');
    expect(effectiveStatus(pending({ status: 'accepted', expiresAt: '2026-01-01T00:00:00.000Z' }), now)).toBe(
      'accepted',
    );
  });
});

describe('tentative acceptance (ActivityPub TentativeAccept)', () => {
  it('keeps a single-use invitation open as tentative, to be accepted or declined later', () => {
    expect(transition(pending(), 'tentative', now)).toMatchObject({
      ok: true,
      value: { status: 'tentative', events: ['invitation.tentatively_accepted'] },
    });
    const maybe: LifecycleState = { ...pending(), status: 'tentative' };
    expect(transition(maybe, 'accept', now)).toMatchObject({
      ok: true,
      value: { previousStatus: 'tentative', status: 'accepted', usesCount: 1 },
    });
    expect(transition(maybe, 'decline', now)).toMatchObject({ ok: true, value: { status: 'declined' } });
    expect(transition(maybe, 'revoke', now)).toMatchObject({ ok: true, value: { status: 'revoked' } });
    expect(transition(maybe, 'tentative', now)).toEqual({ ok: false, refusal: 'invitation_not_pending' });
  });

  it('expires a tentative invitation like a pending one, and refuses a maybe on a shared link', () => {
    const late = new Date('2026-01-18T00:00:00.000Z');
    const maybe: LifecycleState = { ...pending(), status: 'tentative' };
    expect(effectiveStatus(maybe, late)).toBe('expired');
    expect(transition(maybe, 'expire', late)).toMatchObject({ ok: true, value: { status: 'expired' } });
    expect(transition(pending({ usesAllowed: 5 }), 'tentative', now)).toEqual({
      ok: false,
      refusal: 'invitation_multi_use',
    });
  });
});
