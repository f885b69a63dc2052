/**
 * Delivers `activitypub.send` outbox rows: finds the recipient's inbox, adds an Object Integrity
 * Proof by our actor's Ed25519 key (FEP-8b32) to the activity, signs the POST over that body with
 * the RSA key (RFC 9421 first, then draft-cavage with Digest, as Fedify's double knock does) and
 * posts it under the webhooks' address policy. Failures are results, retried by the outbox.
 */
import type { Federation } from '@fedify/fedify';
import { signRequest } from '@fedify/fedify/sig';
import { isActor } from '@fedify/fedify/vocab';
import type { Kysely } from 'kysely';
import type { Database, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { parseJson } from '#common/json';
import { postWebhook, type DeliveryHandler } from '#delivery';
import type { InvitationService } from '#invitations';
import { findIdentityById } from '#tenants';
import type { ApContextData } from './federation';
import { withInvitee } from './activities';
import { signActivity } from './activity-proofs';
import { actorKeyPairs } from './keys';
import type { ApSendPayload } from './sink';
import type { ApUris } from './uris';
import { HandleResolutionError, resolveHandle } from './webfinger';

export interface ActivitySenderOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly uris: ApUris;
  readonly publicUrl: string;
  readonly federation: Federation<ApContextData>;
  readonly allowPrivateNetwork: boolean;
  /** Where the actor a handle resolved to is stored on its invitation, as a versioned update with its event. */
  readonly invitations: Pick<InvitationService, 'recordRecipientActor'>;
}

const MEDIA_TYPE = 'application/activity+json';

/** The delivery handler for signed ActivityPub POSTs. */
export function createActivitySender(options: ActivitySenderOptions): DeliveryHandler {
  const { db, uris } = options;
  return {
    async deliver(row: OutboxRow) {
      const payload = parseJson<ApSendPayload | null>(row.payload, null);
      if (!payload) return { outcome: 'skipped', error: 'unreadable payload' };
      const context = options.federation.createContext(new URL(options.publicUrl), { raw: null });
      let actorIri = payload.recipient;
      let activity = payload.activity;
      if (!/^https?:\/\//.test(actorIri)) {
        try {
          actorIri = await resolveHandle(context, actorIri, options.allowPrivateNetwork);
        } catch (error) {
          const permanent = error instanceof HandleResolutionError && error.kind === 'unknown';
          return { outcome: 'failed', permanent, error: (error as Error).message };
        }
        activity = withInvitee(activity, payload.recipient, actorIri);
        // From now on the invitation names its invitee by IRI (their Accept is checked against it), and so does the
        // Invite we serve.
        if (row.invitation_id) {
          await options.invitations.recordRecipientActor(row.tenant_id, row.invitation_id, actorIri);
          await db
            .updateTable('ap_activities')
            .set({ payload: JSON.stringify(activity) })
            .where('tenant_id', '=', row.tenant_id)
            .where('direction', '=', 'out')
            .where('activity_id', '=', activity.id)
            .execute();
        }
      }
      const actor = await context.lookupObject(actorIri).catch(() => null);
      if (!actor || !isActor(actor) || !actor.inboxId)
        return { outcome: 'failed', error: `${actorIri} is not a reachable actor with an inbox` };
      const identity = await findIdentityById(db, payload.identityId, ['id', 'tenant_id']);
      if (!identity) return { outcome: 'skipped', error: 'the sending identity is gone' };
      const now = options.clock.now();
      const [rsa, ed25519] = await actorKeyPairs(db, { id: identity.id, tenantId: identity.tenant_id }, now);
      // The proof covers exactly the JSON that is sent, and the HTTP signature covers the body with the proof.
      const body = JSON.stringify(
        await signActivity(activity, ed25519!.privateKey, uris.assertionKeyId(payload.actorHandle), now),
      );
      const inbox = actor.inboxId.href;
      let response = await post(
        inbox,
        body,
        rsa!.privateKey,
        uris.keyId(payload.actorHandle),
        'rfc9421',
        options.allowPrivateNetwork,
      );
      // Servers that only know draft-cavage answer 401 to RFC 9421: knock again the old way.
      if (response.status === 401 || response.status === 400)
        response = await post(
          inbox,
          body,
          rsa!.privateKey,
          uris.keyId(payload.actorHandle),
          'draft-cavage-http-signatures-12',
          options.allowPrivateNetwork,
        );
      if (response.ok) return { outcome: 'sent', responseCode: response.status, response: response.body };
      const refused =
        response.status !== null &&
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 401 &&
        response.status !== 429;
      return {
        outcome: 'failed',
        permanent: refused,
        responseCode: response.status,
        response: response.body,
        error: response.error ?? `HTTP ${response.status}`,
      };
    },
  };
}

async function post(
  inbox: string,
  body: string,
  privateKey: CryptoKey,
  keyId: string,
  spec: 'rfc9421' | 'draft-cavage-http-signatures-12',
  allowPrivateNetwork: boolean,
) {
  const unsigned = new Request(inbox, {
    method: 'POST',
    headers: { 'content-type': MEDIA_TYPE, accept: MEDIA_TYPE },
    body,
  });
  const signed = await signRequest(unsigned, privateKey, new URL(keyId), {
    spec,
    body: new TextEncoder().encode(body).buffer as ArrayBuffer,
  });
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => (headers[name] = value));
  return postWebhook(inbox, body, headers, { timeoutMs: 15_000, allowPrivateNetwork });
}
