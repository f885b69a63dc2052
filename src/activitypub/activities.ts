/**
 * The activities Usher sends, as plain JSON in the shapes other servers already read (the
 * Communecter `Invite` document, ForgeFed, the ActivityStreams vocabulary), and the
 * reading of `instrument` in every shape it arrives in. Wire formats only; no state here.
 */
/** The ActivityStreams 2.0 context every activity names. */
export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';

/** A JSON activity. */
export type Activity = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly type: string;
  readonly actor: string;
};

/** Which end of the Invite names the invitee (a tenant setting). */
export type InviteShape = 'object-invitee' | 'target-invitee';

/** What an Invite says. */
export interface InviteContent {
  readonly id: string;
  readonly actor: string;
  readonly invitee: string;
  /** What they are invited into, as sent (`targetOf`); null for the tenant itself (the actor stands in). */
  readonly target: string | InviteTarget | null;
  readonly role: string | null;
  readonly rules: readonly string[];
  readonly message: string | null;
  readonly published: string;
}

/** The thing invited into, embedded: its id is the host application's own IRI for it. */
export interface InviteTarget {
  readonly type: string;
  readonly id: string;
  readonly name?: string;
}

// The Communecter document's `instrument.as` for "admin with these roles": Usher's role `admin`, the roles its rules.
const ADMIN_WITH_RULES = 'adminandrole';
const AS_TYPES: Readonly<Record<string, string>> = { event: 'Event', group: 'Group' };

/**
 * What an Invite names as its target: an object whose id is the target's real IRI, with its name, so a receiver
 * keyed on that IRI (the Communecter document's project) recognises it; our stand-in's IRI only when there is none.
 */
export function targetOf(
  target: { type: string; iri: string | null; name: string | null },
  standIn: string,
): string | InviteTarget {
  if (!target.iri) return standIn;
  return { type: AS_TYPES[target.type] ?? 'Object', id: target.iri, ...(target.name ? { name: target.name } : {}) };
}

/**
 * An Invite. `object-invitee`: object = the invitee, target = what they are invited into (the
 * seed's shape). `target-invitee`: object = what they are invited into, target = the invitee
 * (ActivityStreams vocabulary §Invite example). `instrument` follows the seed: the bare role, or
 * `{ as, rules }` when there are finer roles.
 */
export function buildInvite(content: InviteContent, shape: InviteShape): Activity {
  const thing = content.target ?? content.actor;
  const ends =
    shape === 'object-invitee'
      ? { object: content.invitee, target: thing }
      : { object: thing, target: content.invitee };
  return {
    '@context': AS_CONTEXT,
    type: 'Invite',
    id: content.id,
    actor: content.actor,
    ...ends,
    ...instrumentOf(content.role, content.rules),
    ...(content.message ? { content: content.message } : {}),
    to: [content.invitee],
    published: content.published,
  };
}

/** An answer to someone's Invite: Accept, Reject or TentativeAccept, whose object is their Invite's id. */
export function buildAnswer(
  type: 'Accept' | 'Reject' | 'TentativeAccept',
  content: { id: string; actor: string; invite: string; inviter: string },
): Activity {
  return {
    '@context': AS_CONTEXT,
    type,
    id: content.id,
    actor: content.actor,
    object: content.invite,
    to: [content.inviter],
  };
}

/** Undo of our Invite, embedded so the receiver need not fetch it (it may be gone). */
export function buildUndo(content: { id: string; actor: string; invite: Activity; invitee: string }): Activity {
  return {
    '@context': AS_CONTEXT,
    type: 'Undo',
    id: content.id,
    actor: content.actor,
    object: stripContext(content.invite),
    to: [content.invitee],
  };
}

/**
 * The activity with the invitee's handle, a placeholder until WebFinger answered, replaced by their actor IRI wherever
 * it stands.
 */
export function withInvitee(activity: Activity, handle: string, actorIri: string): Activity {
  const replace = (value: unknown): unknown =>
    value === handle
      ? actorIri
      : Array.isArray(value)
        ? value.map(replace)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]))
          : value;
  return replace(activity) as Activity;
}

/**
 * The role and finer rules an `instrument` carries: `"admin"`, `{ as, rules: "A,B" }`, or an object with a `name`;
 * the document's `adminandrole` is the role `admin` (with its rules).
 */
export function readInstrument(value: unknown): { role: string | null; rules: string[] } {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return { role: asUsherRole(lastSegment(first)), rules: [] };
  if (typeof first !== 'object' || first === null) return { role: null, rules: [] };
  const instrument = first as Record<string, unknown>;
  const named = typeof instrument.as === 'string' ? instrument.as : instrument.name;
  const role = typeof named === 'string' ? asUsherRole(named) : null;
  const rules =
    typeof instrument.rules === 'string'
      ? instrument.rules.split(',')
      : Array.isArray(instrument.rules)
        ? instrument.rules.filter((r) => typeof r === 'string')
        : [];
  return {
    role: role?.trim().slice(0, 100) || null,
    rules: rules
      .map((r) => String(r).trim())
      .filter(Boolean)
      .slice(0, 50),
  };
}

/** The id of a property that is an IRI or an embedded object with an id. */
export function idOf(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  if (typeof first === 'object' && first !== null && typeof (first as { id?: unknown }).id === 'string')
    return (first as { id: string }).id;
  return null;
}

const asUsherRole = (role: string): string => (role.trim() === ADMIN_WITH_RULES ? 'admin' : role);

function instrumentOf(role: string | null, rules: readonly string[]): Record<string, unknown> {
  if (!role && rules.length === 0) return {};
  if (rules.length === 0) return { instrument: role };
  const as = role === 'admin' ? ADMIN_WITH_RULES : role;
  return { instrument: { ...(as ? { as } : {}), rules: rules.join(',') } };
}

// A JSON-LD processor may have expanded "admin" against the document's base into an IRI.
function lastSegment(value: string): string {
  return /^https?:\/\//.test(value) ? decodeURIComponent(value.replace(/\/+$/, '').split('/').pop() ?? value) : value;
}

function stripContext(activity: Activity): Record<string, unknown> {
  const { '@context': _context, ...rest } = activity;
  return rest;
}
