/**
 * Unipile's users API mapped onto Usher: the "accounts" are the tenant's identities (account_id
 * = identity id), the "users" are identities of this server (public identifier = handle,
 * provider_id = identity id) and fediverse actors (public identifier = `@user@host`,
 * provider_id = actor IRI). An invitation is a `provider` invitation to provider `usher` (the
 * provider channel records the invitee's incoming invitation in the same transaction) or an
 * `activitypub` one (an Invite to the actor), made by the core like any other.
 */
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { isUuid } from '#common/ids';
import type { AppEnv } from '#http/auth';
import { decodeCursor } from '#http/pagination';
import {
  apiKeyActor,
  findInvitationRow,
  InvitationFieldsSchema,
  listPendingOfIdentity,
  type Actor,
  type Invitation,
} from '#invitations';
import { findIdentitiesById, findIdentity, findIdentityById, findIdentityByHandle, type Identity } from '#tenants';
import type { CompatDeps } from '../deps';
import { unipileError } from './errors';
import { NOTE_MAX } from './schemas';

/** The channels a Unipile invitation goes out on. */
const USER_CHANNELS = ['provider', 'activitypub'] as const;

/** The caller, as the actor of what it changes. */
export const actorOf = (c: Context<AppEnv>): Actor => apiKeyActor(c.var.auth, 'unipile');

/** A user of this server: an identity of any tenant. */
interface LocalUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
}

/** A display name as Unipile's first and last name: the first word, and the rest. */
function names(displayName: string): { first_name: string | null; last_name: string | null } {
  const [first, ...rest] = displayName.trim().split(/\s+/);
  return { first_name: first || null, last_name: rest.length ? rest.join(' ') : null };
}

async function findUser(db: Kysely<Database>, identifier: string): Promise<LocalUser | null> {
  const byHandle = await findIdentityByHandle(db, identifier);
  if (byHandle) return byHandle;
  if (!isUuid(identifier)) return null;
  const row = await findIdentityById(db, identifier, ['id', 'handle', 'display_name']);
  return row ? { id: row.id, handle: row.handle, displayName: row.display_name } : null;
}

/** A fediverse actor's identifier: `@user@host`, `user@host` or its IRI. Such users are reached over ActivityPub. */
const isRemote = (identifier: string) => /^@?[^@\s/]+@[^@\s/]+$/.test(identifier) || /^https?:\/\//.test(identifier);

/** Where a Unipile-made activitypub invitation keeps the `@user@host` it was sent to, for the sent list. */
const PUBLIC_IDENTIFIER = 'unipilePublicIdentifier';

/** The invitee as the sent list names it: the user's id (provider_id) and public identifier. */
function inviteeOf(
  invitation: Invitation,
  handles: ReadonlyMap<string, string>,
): { id: string | null; publicId: string | null } {
  if (invitation.channel === 'activitypub') {
    const kept = invitation.metadata[PUBLIC_IDENTIFIER];
    return { id: invitation.recipient.actorIri, publicId: typeof kept === 'string' ? kept : null };
  }
  const id = invitation.recipient.provider?.userId ?? null;
  return { id, publicId: handles.get(id ?? '') ?? null };
}

/** The Unipile surface's rules; every change goes through the invitation service. */
export function createUnipileService({ db, clock, invitations, lookupActor }: CompatDeps) {
  async function account(tenantId: string, accountId: string, field: string): Promise<Identity> {
    const identity = await findIdentity(db, tenantId, accountId);
    if (!identity) throw unipileError('account_not_found', 'Account not found', field);
    return identity;
  }

  async function user(identifier: string, field: string): Promise<LocalUser> {
    const found = await findUser(db, identifier);
    if (!found) throw unipileError('user_not_found', `User ${identifier} not found`, field);
    return found;
  }

  return {
    /** GET /api/v1/users/{identifier}: the profile of an identity of this server, or of a fediverse actor. */
    async profile(tenantId: string, identifier: string, accountId: string) {
      const me = await account(tenantId, accountId, 'query.account_id');
      if (isRemote(identifier)) {
        // A fediverse actor, by WebFinger or its actor document: provider_id is its IRI, and inviting it sends an
        // ActivityPub Invite.
        const actor = await lookupActor(identifier);
        if (!actor) throw unipileError('user_not_found', `User ${identifier} not found`, 'path.identifier');
        const publicIdentifier = actor.handle ? `@${actor.handle}` : actor.iri;
        return {
          object: 'UserProfile' as const,
          provider: 'ACTIVITYPUB' as const,
          provider_id: actor.iri,
          public_identifier: publicIdentifier,
          ...names(actor.name ?? ''),
          is_self: false,
        };
      }
      const found = await user(identifier, 'path.identifier');
      return {
        object: 'UserProfile' as const,
        provider: 'USHER' as const,
        provider_id: found.id,
        public_identifier: found.handle,
        ...names(found.displayName),
        is_self: found.id === me.id,
      };
    },

    /**
     * POST /api/v1/users/invite: a provider (or, to an actor, activitypub) invitation from the account to the user,
     * with its note.
     */
    async invite(
      tenantId: string,
      body: { provider_id: string; account_id: string; message?: string | undefined },
      actor: Actor,
    ) {
      const me = await account(tenantId, body.account_id, 'body.account_id');
      const note = body.message?.trim() ? body.message : undefined;
      if (note && [...note].length > NOTE_MAX) {
        throw unipileError(
          'too_many_characters',
          `The provided content exceeds the character limit (${[...note].length} > ${NOTE_MAX}).`,
          'body.message',
        );
      }
      if (isRemote(body.provider_id)) {
        const remote = await lookupActor(body.provider_id);
        if (!remote)
          throw unipileError('provider_user_not_found', `No actor at ${body.provider_id}`, 'body.provider_id');
        // What another server says about its actor is cut to the native limits rather than refused: the caller cannot
        // fix it.
        const name = remote.name?.trim().slice(0, 200);
        const input = InvitationFieldsSchema.parse({
          identityId: me.id,
          recipient: { actorIri: remote.iri, ...(name ? { name } : {}) },
          ...(note ? { message: note } : {}),
          ...(remote.handle && remote.handle.length <= 320
            ? { metadata: { [PUBLIC_IDENTIFIER]: `@${remote.handle}` } }
            : {}),
        });
        return {
          object: 'UserInvitationSent' as const,
          invitation_id: (await invitations.create(tenantId, { ...input, channel: 'activitypub' }, actor)).id,
        };
      }
      const invitee = await findUser(db, body.provider_id);
      if (!invitee)
        throw unipileError('provider_user_not_found', `No user ${body.provider_id} on this server`, 'body.provider_id');
      const input = InvitationFieldsSchema.parse({
        identityId: me.id,
        recipient: { provider: { provider: 'usher', userId: invitee.id }, name: invitee.displayName },
        ...(note ? { message: note } : {}),
      });
      const created = await invitations.create(tenantId, { ...input, channel: 'provider' }, actor);
      return { object: 'UserInvitationSent' as const, invitation_id: created.id };
    },

    /**
     * DELETE /api/v1/users/invite/sent/{invitation_id}: the account revokes an invitation it sent; the invitee's is
     * withdrawn with it.
     */
    async cancel(tenantId: string, invitationId: string, accountId: string, actor: Actor) {
      const me = await account(tenantId, accountId, 'query.account_id');
      const sent = await findInvitationRow(db, tenantId, invitationId);
      if (!sent || sent.identity_id !== me.id || sent.direction !== 'outgoing')
        throw unipileError('invitation_not_found', `Invitation ${invitationId} not found`, 'path.invitation_id');
      await invitations.revoke(tenantId, invitationId, actor);
      return { object: 'InvitationCanceled' as const };
    },

    /**
     * GET /api/v1/users/invite/sent: the account's invitations to users (of this server, a provider or the fediverse)
     * still pending, newest first.
     */
    async listSent(
      tenantId: string,
      query: { account_id: string; cursor?: string | undefined; limit?: number | undefined },
    ) {
      const me = await account(tenantId, query.account_id, 'query.account_id');
      const after = query.cursor ? decodeCursor(query.cursor) : null;
      const limit = query.limit ?? 10;
      const page = await listPendingOfIdentity(db, tenantId, me.id, USER_CHANNELS, { limit, after }, clock.now());
      const ids = page.data.flatMap((i) =>
        i.recipient.provider?.provider === 'usher' ? [i.recipient.provider.userId] : [],
      );
      const handles = new Map(
        ids.length ? (await findIdentitiesById(db, ids, ['id', 'handle'])).map((r) => [r.id, r.handle] as const) : [],
      );
      const inviter = {
        inviter_name: me.displayName,
        inviter_id: me.id,
        inviter_public_identifier: me.handle,
        inviter_description: null,
      };
      const items = page.data.map((i) => {
        const invitee = inviteeOf(i, handles);
        return {
          object: 'InvitationSent' as const,
          id: i.id,
          invited_user: i.recipient.name,
          invited_user_id: invitee.id,
          invited_user_public_id: invitee.publicId,
          invited_user_description: null,
          date: i.createdAt,
          parsed_datetime: i.createdAt,
          invitation_text: i.message,
          inviter,
        };
      });
      return { object: 'InvitationList' as const, items, cursor: page.nextCursor };
    },
  };
}
