import { OpenAPIHono } from '@hono/zod-openapi';
import { requireApiKey, type AppEnv } from '#http/auth';
import { apiReferencePolicy, createApiReferenceRoutes } from '#http/api-reference';
import { limitBody } from '#http/body-limit';
import { rejectNulCharacters } from '#http/input-guards';
import { securityHeaders } from '#http/security-headers';
import { handleError, httpProblem } from '#http/problem';
import { validationHook } from '#http/validation';
import {
  createInvitationRoutes,
  createJoinRequestRoutes,
  createPublicInvitationRoutes,
  unlinkContactFromInvitations,
} from '#invitations';
import { createJwksRoutes, createSigningKeyRoutes } from '#acceptance';
import { createAuditRoutes } from '#audit';
import { createMembershipRoutes, unlinkContactFromMemberships } from '#memberships';
import { createDeliveryRoutes, createWebhookRoutes } from '#delivery';
import { consumeRequest, createContactRoutes, createIdentityRoutes, createTenantRoutes, recallApiKey } from '#tenants';
import { CONSOLE_PAGES, createAcceptPageRoutes, createConsoleRoutes, rateLimitedPage, webPagePolicies } from '#web';
import { createClientLimits, DEFAULT_CLIENT_LIMITS, type ClientLimitSettings } from '#limits';
import { createConnectionRoutes, createDidcommEndpointRoutes, createMediatorRoutes } from '#didcomm';
import { COMPAT_AUTHENTICATED_PREFIXES, createCompatRoutes } from '#compat';
import { accessLog, createObservabilityRoutes, requestId, type RequestLogEntry } from '#observability';
import type { ServiceDeps, Services } from './services';

/** The HTTP surface's own settings, besides the services: the access log, readiness, the metrics token. */
export interface AppDeps extends ServiceDeps {
  /** Told about every answered request (the access log); nothing by default. */
  readonly logRequest?: (entry: RequestLogEntry) => void;
  /** True once the process is shutting down (`/readyz` answers 503); never, by default. */
  readonly isShuttingDown?: () => boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** Per-client limits of anonymous callers and the proxies trusted to name them; DEFAULT_CLIENT_LIMITS if unset. */
  readonly clientLimits?: ClientLimitSettings;
}

/** The largest request body accepted; invitations with metadata stay far below it. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Bulk creation carries thousands of invitations: a batch of 5,000 typical rows is about 1 MiB. */
export const MAX_BULK_BODY_BYTES = 8 * 1024 * 1024;
const BULK_PATH = '/v1/invitations/bulk';

/**
 * Mounts middleware and routes over the services (`composeServices`). Does no I/O: nothing runs until a request
 * arrives.
 */
export function createApp(services: Services, deps: AppDeps): OpenAPIHono<AppEnv> {
  const { db, clock } = deps;
  const { invitations, didcomm, metrics } = services;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });

  app.use('*', requestId() as never);
  const pages = [...webPagePolicies({ allowHttp: deps.allowPrivateNetwork }), apiReferencePolicy('/openapi.json')];
  app.use('*', securityHeaders({ publicUrl: deps.publicUrl, pages }));
  if (deps.logRequest) app.use('*', accessLog(deps.logRequest));
  app.use('*', metrics.middleware);
  // Anonymous callers are counted before their bodies are read, and before Fedify takes its inboxes.
  const settings = deps.clientLimits ?? DEFAULT_CLIENT_LIMITS;
  const clientLimits = createClientLimits({ db, clock, settings, refusalPage: rateLimitedPage });
  app.use('*', clientLimits.middleware);
  const bulkBodyLimit = limitBody(MAX_BULK_BODY_BYTES);
  const bodyLimitDefault = limitBody(MAX_BODY_BYTES);
  app.use('*', (c, next) => (c.req.path === BULK_PATH ? bulkBodyLimit(c, next) : bodyLimitDefault(c, next)));
  // Before anything parses bodies: federation requests are verified over the bytes as sent.
  app.use('*', services.federation.middleware);
  app.use('*', rejectNulCharacters());
  app.get('/healthz', (c) => c.json({ status: 'ok', version: deps.version }));
  app.route(
    '/',
    createObservabilityRoutes({ db, metrics, isShuttingDown: deps.isShuttingDown, metricsToken: deps.metricsToken }),
  );

  const authenticate = requireApiKey(
    (key) => recallApiKey(services.memory, db, key, clock.now()),
    (auth) => consumeRequest(db, auth.tenantId, auth.rateLimitPerMinute, clock.now()),
  );
  app.use('/v1/*', async (c, next) => (c.req.path.startsWith('/v1/public/') ? next() : authenticate(c, next)));
  app.use('*', async (c, next) =>
    COMPAT_AUTHENTICATED_PREFIXES.some((prefix) => c.req.path.startsWith(prefix)) ? authenticate(c, next) : next(),
  );

  app.route('/v1', createPublicInvitationRoutes({ invitations }));
  const { audit } = services;
  app.route('/v1', createTenantRoutes({ db, clock, allowPrivateNetwork: deps.allowPrivateNetwork, audit }));
  app.route('/v1', createAuditRoutes({ db }));
  app.route('/v1', createIdentityRoutes({ db, clock, audit }));
  app.route(
    '/v1',
    createContactRoutes({ db, clock, contactUnlinks: [unlinkContactFromInvitations, unlinkContactFromMemberships] }),
  );
  app.route('/v1', createInvitationRoutes({ db, clock, invitations, deliveryState: services.deliveryState }));
  app.route('/v1', createJoinRequestRoutes({ invitations }));
  app.route('/v1', createMembershipRoutes({ db }));
  app.route('/v1', createDeliveryRoutes({ db, clock, pinger: services.pinger }));
  app.route('/v1', createWebhookRoutes({ db, clock, audit }));
  app.route('/v1', createSigningKeyRoutes({ db, clock, audit }));
  app.route('/v1', createConnectionRoutes({ didcomm }));
  app.route('/v1', createMediatorRoutes({ didcomm }));
  app.route('/v1', services.providerRoutes);
  app.route('/', createJwksRoutes({ db, clock }));
  app.route('/', createDidcommEndpointRoutes({ didcomm }));
  app.route('/', services.activityPubRoutes);
  app.route(
    '/',
    createCompatRoutes({
      db,
      clock,
      publicUrl: deps.publicUrl,
      invitations,
      didcomm,
      lookupActor: services.federation.lookupActor,
    }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <API key>',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'The same API key; tnt-subscription-key is accepted too.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Usher',
      version: deps.version,
      description:
        'Invitations into tenants, projects and events over email, links, DIDComm, ActivityPub and social providers. Errors are RFC 9457 problem+json with a stable `code` and the `field` at fault.',
    },
    servers: [{ url: deps.publicUrl }],
  });
  app.route('/', createApiReferenceRoutes('/openapi.json'));
  app.route('/', createAcceptPageRoutes({ invitations, clock, publicUrl: deps.publicUrl }));
  app.route(
    '/',
    createConsoleRoutes(
      {
        db,
        clock,
        publicUrl: deps.publicUrl,
        invitations,
        pinger: services.pinger,
        allowPrivateNetwork: deps.allowPrivateNetwork,
        signInGuard: clientLimits.signInGuard,
        audit,
      },
      CONSOLE_PAGES,
    ),
  );

  app.notFound((c) => httpProblem('not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) =>
    handleError(error, c, (failure) =>
      deps.logError(failure, { requestId: (c as { get(key: 'requestId'): string | undefined }).get('requestId') }),
    ),
  );
  return app;
}
