/**
 * A remote actor found by `@user@host` (WebFinger, RFC 7033) or by its IRI (its actor document,
 * ActivityPub §4.1), through the same lookups and address rules the Invite sender uses: Fedify's
 * loader, which refuses private addresses unless they are allowed, and `resolveHandle`.
 */
import type { Context } from '@fedify/fedify';
import { isActor } from '@fedify/fedify/vocab';
import { resolveHandle } from './webfinger';

/** An actor as other surfaces show it. */
export interface RemoteActor {
  readonly iri: string;
  readonly name: string | null;
  /** `user@host`: the handle asked for, or the actor's preferredUsername at its IRI's host. */
  readonly handle: string | null;
}

const isIri = (identifier: string) => /^https?:\/\//.test(identifier);

/** The actor behind `identifier`, or null when it cannot be found, is not an actor, or is out of bounds. */
export async function lookupRemoteActor(
  context: Context<unknown>,
  identifier: string,
  allowPrivateNetwork: boolean,
): Promise<RemoteActor | null> {
  try {
    const iri = isIri(identifier) ? identifier : await resolveHandle(context, identifier, allowPrivateNetwork);
    const actor = await context.lookupObject(iri);
    if (!isActor(actor) || !actor.id) return null;
    const username = actor.preferredUsername?.toString() ?? null;
    const handle = isIri(identifier)
      ? username
        ? `${username}@${actor.id.host}`
        : null
      : identifier.replace(/^@/, '');
    return { iri: actor.id.href, name: actor.name?.toString() ?? username, handle };
  } catch {
    return null;
  }
}
