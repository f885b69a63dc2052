import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import type { DidcommService } from '#didcomm';
import type { InvitationService } from '#invitations';

/** What the compatibility surfaces map onto: the same services the native API uses. */
export interface CompatDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly invitations: InvitationService;
  readonly didcomm: DidcommService;
  /**
   * A fediverse actor by `@user@host` or IRI (ActivityPub's WebFinger and actor lookup, under its
   * address rules); null when not found. `handle` is `user@host`, when the actor has one.
   */
  readonly lookupActor: (
    identifier: string,
  ) => Promise<{ iri: string; name: string | null; handle: string | null } | null>;
}
