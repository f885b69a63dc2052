import {
  createUsherClient,
  unwrap,
  verifyAcceptanceToken,
  type AcceptanceTokenClaims,
  type UsherClient,
} from '@usher/sdk';
import type { Store, User } from './store.ts';

/** The team this app has: one, for the example. Usher knows it as an invitation's target. */
export interface Team {
  readonly name: string;
  readonly iri: string;
}

/** What the app holds of Usher once connected. */
export interface UsherConnection {
  readonly client: UsherClient;
  /** The tenant the API key belongs to: every acceptance token for this app carries it as `aud`. */
  readonly tenantId: string;
  /** The signing secret of this app's webhook endpoint. */
  readonly webhookSecret: string;
  /** Checks an acceptance token against Usher's published keys; rejects with AcceptanceTokenError. */
  verifyAcceptance(token: string): Promise<AcceptanceTokenClaims>;
  /** Invites `email` to the team with `role`, on behalf of `inviter`; rejects with UsherError (a problem). */
  invite(inviter: User, email: string, role: string): Promise<void>;
}

/**
 * Connects to Usher at start: learns the tenant (the audience of acceptance tokens) and makes sure this app's
 * webhook endpoint is registered and its secret known. Usher shows a secret only when it makes one, so an
 * endpoint registered earlier whose secret this store lacks gets a new secret (rotate) rather than a twin.
 */
export async function connectUsher(options: {
  readonly usherUrl: string;
  readonly apiKey: string;
  readonly appUrl: string;
  readonly team: Team;
  readonly store: Store;
}): Promise<UsherConnection> {
  const { usherUrl, appUrl, team, store } = options;
  const client = createUsherClient({ baseUrl: usherUrl, apiKey: options.apiKey });
  const tenant = await unwrap(client.GET('/v1/tenant'));
  const hookUrl = `${appUrl}/hooks/usher`;
  const saved = store.webhook(hookUrl);
  const { data: endpoints } = await unwrap(client.GET('/v1/webhooks'));
  const registered = endpoints.find((endpoint) => endpoint.url === hookUrl);
  let webhookSecret: string;
  if (registered && saved?.endpointId === registered.id) {
    webhookSecret = saved.secret;
    if (registered.status === 'disabled') {
      const path = { id: registered.id };
      await unwrap(client.PATCH('/v1/webhooks/{id}', { params: { path }, body: { status: 'enabled' } }));
    }
  } else {
    const endpoint = registered
      ? await unwrap(client.POST('/v1/webhooks/{id}/rotate-secret', { params: { path: { id: registered.id } } }))
      : await unwrap(client.POST('/v1/webhooks', { body: { url: hookUrl, events: ['*'], description: 'Teamboard' } }));
    store.saveWebhook(hookUrl, endpoint.id, endpoint.secret);
    webhookSecret = endpoint.secret;
  }

  return {
    client,
    tenantId: tenant.id,
    webhookSecret,
    verifyAcceptance: (token) =>
      verifyAcceptanceToken(token, { url: `${usherUrl}/.well-known/jwks.json`, audience: tenant.id }),
    async invite(inviter, email, role) {
      await unwrap(
        client.POST('/v1/invitations', {
          body: {
            channel: 'email',
            recipient: { email },
            target: { type: 'group', iri: team.iri, name: team.name },
            role,
            // Who invites is this app's user, not Usher's: the email and the accept page name them.
            invitedBy: { id: inviter.id, name: inviter.name, email: inviter.email },
            // Where the accept page hands the invitee back, with the signed acceptance token (form_post).
            redirectUrl: `${appUrl}/usher/accepted`,
          },
        }),
      );
    },
  };
}
