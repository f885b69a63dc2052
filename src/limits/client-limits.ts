import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '#db';
import type { Clock } from '#common/clock';
import { problemResponse } from '#http/problem';
import { createClientAddressOf, type ClientAddressOf } from './client-address';
import { createClientCounter, pruneClientWindows, type ClientDecision } from './client-windows';
import { limitErrors } from './errors';
import { routeGroupOf, type RouteGroup } from './route-groups';
import { createSignInGuard, pruneSignInFailures } from './sign-in-guard';
import type { ClientLimitSettings } from './settings';

/** One window of a minute: the settings are "per minute", and the draft's `w` says so. */
const WINDOW_SECONDS = 60;

/** Renders the 429 page a person sees over the limit (the accept page, console sign-in): HTML, not JSON. */
export type RefusalPage = (c: Context, retryAfterSeconds: number) => Response | Promise<Response>;

export interface ClientLimitsOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly settings: ClientLimitSettings;
  readonly refusalPage: RefusalPage;
}

/**
 * The draft's fields (draft-ietf-httpapi-ratelimit-headers): the policy, a Structured
 * Fields list item `"name";q=<quota>;w=<seconds>`, and this client's standing `"name";r=<left>;t=<seconds>`.
 */
function rateLimitHeaders(group: RouteGroup, limit: number, decision: ClientDecision): Record<string, string> {
  return {
    'ratelimit-policy': `"${group.name}";q=${limit};w=${WINDOW_SECONDS}`,
    ratelimit: `"${group.name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}

async function refusal(
  c: Context,
  group: RouteGroup,
  page: RefusalPage,
  headers: Record<string, string>,
  seconds: number,
) {
  const response = group.page
    ? await page(c, seconds)
    : problemResponse({
        title: limitErrors.rate_limited.title,
        status: 429,
        code: 'rate_limited',
        detail: `too many requests from this client; try again in ${seconds} s`,
        // The draft's quota-exceeded problem type names the policies the client ran out of.
        'violated-policies': [group.name],
      });
  for (const [name, value] of Object.entries({ ...headers, 'retry-after': String(seconds) })) {
    response.headers.set(name, value);
  }
  return response;
}

/**
 * Per-client limits on the routes anyone may call without a key (see `routeGroupOf`), shared through the database
 * by every process on it (`createClientCounter`: the lower half of a budget counted in memory, the upper half in the
 * database). Requests with no socket (in-process `app.request`) have no client and are not counted.
 */
export function createClientLimits(options: ClientLimitsOptions) {
  const { db, clock, settings } = options;
  const clientOf: ClientAddressOf = createClientAddressOf(settings.trustedProxies);
  const counter = createClientCounter(db, clock);
  const middleware: MiddlewareHandler = async (c, next) => {
    const group = routeGroupOf(c.req.method, c.req.path);
    const limit = group ? settings.perMinute[group.setting] : 0;
    const client = group && limit > 0 ? clientOf(c) : null;
    if (!group || client === null) return next();
    const decision = await counter.count(
      { group: group.name, limit, windowSeconds: WINDOW_SECONDS },
      client,
      clock.now(),
    );
    const headers = rateLimitHeaders(group, limit, decision);
    if (!decision.allowed) return refusal(c, group, options.refusalPage, headers, decision.resetSeconds);
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
  return { middleware, clientOf, counter, signInGuard: createSignInGuard({ db, clock, clientOf }) };
}

export type ClientLimits = ReturnType<typeof createClientLimits>;

/** The sweep's share: windows long over and sign-in failures a day old. */
export async function pruneClientLimits(db: Db, now: Date): Promise<void> {
  await pruneClientWindows(db, now);
  await pruneSignInFailures(db, now);
}
