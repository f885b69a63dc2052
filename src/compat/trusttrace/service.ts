/**
 * TrustTrace's invitation action over the core services: the contact it names (or the tenant's
 * contact for the address it gives), a didcomm invitation to it, and the signed bearer token the
 * action shows once. The core owns every rule; this only finds who is invited.
 */
import type { Db } from '#db';
import type { Actor } from '#invitations';
import { createContact, findContact, getContact, getIdentity, listContacts, type Contact } from '#tenants';
import type { CompatDeps } from '../deps';
import { issueBearerToken } from './bearer-token';
import type { CreateActionInput } from './schemas';

/** The tenant's contact for an address (case-insensitive), made with the invitation when there is none yet. */
async function contactForEmail(
  db: Db,
  tenantId: string,
  email: string,
  name: string | null,
  now: Date,
): Promise<Contact> {
  const existing = await listContacts(db, tenantId, { email, direction: 'asc', limit: 1 });
  return existing.data[0] ?? createContact(db, tenantId, { email, name }, now);
}

/** The TrustTrace operations that change something. */
export function createTrustTraceService({ db, clock, invitations }: CompatDeps) {
  return {
    /**
     * `POST /api/v1/invitation`: the contact is `config.contactUuid`, else (or when that is unknown) the tenant's
     * contact for `config.email`, found or made in the invitation's transaction (404 with neither),
     * so a refused invitation leaves no new contact behind.
     */
    async invite(
      tenantId: string,
      { config, from }: CreateActionInput,
      actor: Actor,
    ): Promise<{ id: string; token: string }> {
      await getIdentity(db, tenantId, from, 'body.from');
      return db.transaction().execute(async (trx) => {
        // The document's request names a contactUuid from its own earlier step, which Usher cannot know: with an
        // address, the tenant's contact for it stands in; without one, the unknown contact is a 404.
        const named = config.contactUuid ? await findContact(trx, tenantId, config.contactUuid) : null;
        const contact =
          named ??
          (config.email
            ? await contactForEmail(trx, tenantId, config.email, config.inviteName ?? null, clock.now())
            : await getContact(trx, tenantId, config.contactUuid!, 'body.config.contactUuid'));
        const invitation = await invitations.createIn(
          trx,
          tenantId,
          {
            channel: 'didcomm',
            identityId: from,
            recipient: {
              contactId: contact.id,
              ...(config.email ? { email: config.email } : {}),
              ...(config.inviteName ? { name: config.inviteName } : {}),
            },
            target: { type: 'tenant' },
            rules: [],
            public: false,
            usesAllowed: 1,
            metadata: { surface: 'trusttrace' },
          },
          actor,
        );
        // In the same transaction: an invitation is never left without the bearer its action shows.
        return { id: invitation.id, token: await issueBearerToken(trx, tenantId, invitation, clock.now()) };
      });
    },
  };
}
