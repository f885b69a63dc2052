import type { Schemas } from '#sdk';
import type { Column } from './table';

type Invitation = Schemas['Invitation'];
type RecordFields = Array<readonly [string, string | number | boolean | null | undefined]>;

/** "2026-11-26 01:05Z": enough to read in a table; --json keeps the full time. */
export const shortTime = (iso: string | null | undefined): string | null =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : null;

/** Who an invitation is for, whichever channel: the address, actor, DID or provider user, else the name. */
export function recipientOf(invitation: Invitation): string | null {
  const { email, actorIri, did, provider, name } = invitation.recipient;
  return email ?? actorIri ?? did ?? (provider ? `${provider.provider}:${provider.userId}` : null) ?? name;
}

const targetOf = (invitation: Invitation) =>
  invitation.target.type === 'tenant'
    ? 'tenant'
    : `${invitation.target.type}:${invitation.target.name ?? invitation.target.iri}`;
const usesOf = (invitation: Invitation) => `${invitation.usesCount}/${invitation.usesAllowed ?? 'unlimited'}`;

/** The columns of `invite list`. */
export const invitationColumns: readonly Column<Invitation>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'status', value: (i) => i.status },
  { header: 'channel', value: (i) => i.channel },
  { header: 'recipient', value: recipientOf },
  { header: 'target', value: targetOf },
  { header: 'role', value: (i) => i.role },
  { header: 'uses', value: usesOf },
  { header: 'expires', value: (i) => shortTime(i.expiresAt) },
  { header: 'created', value: (i) => shortTime(i.createdAt) },
];

/** Why a link or email invitation's link is not shown, and what to do about it. */
const LINK_UNAVAILABLE: Record<string, string> = {
  not_pending: 'the invitation is closed',
  secret_changed: 'made with another link secret; `usher invite reset-link <id>` for one this server can show',
  minted_before_recovery: 'made before links could be shown again; `usher invite reset-link <id>` for one that can be',
};

/** One invitation as a record, with its link when the response carries one (create, resend, reset-link, get). */
export function invitationFields(
  invitation: Invitation & {
    url?: string | null;
    urlUnavailable?: string | null;
    invitationUrl?: string | null;
    delivery?: Schemas['InvitationDetail']['delivery'];
  },
): RecordFields {
  const fields: RecordFields = [
    ['id', invitation.id],
    ['number', invitation.number],
    ['status', invitation.status],
    ['channel', invitation.channel],
    ['direction', invitation.direction],
    ['recipient', recipientOf(invitation)],
    ['name', invitation.recipient.name],
    ['target', targetOf(invitation)],
    ['role', invitation.role],
    ['rules', invitation.rules.join(', ')],
    ['message', invitation.message],
    ['label', invitation.label],
    ['purpose', invitation.purpose],
    ['uses', usesOf(invitation)],
    ['starts', invitation.startsAt],
    ['expires', invitation.expiresAt],
    ['created', invitation.createdAt],
  ];
  for (const [channel, state] of Object.entries(invitation.delivery ?? {})) {
    fields.push([
      `delivery ${channel}`,
      `${state.state}${state.reason ? ` (${state.reason})` : ''}, ${state.updatedAt}`,
    ]);
  }
  if (invitation.invitationUrl) fields.push(['invitation url', invitation.invitationUrl]);
  // A missing link says why, rather than leave an empty line that looks like a bug. Protocol channels have none.
  if (invitation.url) fields.push(['url', invitation.url]);
  else if (invitation.urlUnavailable)
    fields.push(['url', `(not shown: ${LINK_UNAVAILABLE[invitation.urlUnavailable] ?? invitation.urlUnavailable})`]);
  else if (invitation.url === null && invitation.urlUnavailable === undefined)
    fields.push(['url', '(not shown on an idempotent replay; `usher invite get <id>` shows it)']);
  return fields;
}

/** The columns of `invite events`. */
export const eventColumns: readonly Column<Schemas['InvitationEvent']>[] = [
  { header: 'time', value: (e) => e.createdAt },
  { header: 'event', value: (e) => e.type },
  {
    header: 'status',
    value: (e) => (e.previousStatus && e.previousStatus !== e.status ? `${e.previousStatus} -> ${e.status}` : e.status),
  },
  { header: 'actor', value: (e) => e.actor },
];
