/**
 * The HTTP side of ActivityPub that Fedify answers: actors, inboxes, WebFinger and NodeInfo (Usher's
 * own Invites and target objects are in object-routes.ts). Before Fedify
 * sees an inbox POST, it must carry a valid, fresh HTTP signature that has not been seen before
 * (Fedify would also take a body signed by an Object Integrity Proof alone, with no date to check),
 * and every Object Integrity Proof in it must verify by a key of its actor (Fedify would fall back
 * to the HTTP signature when a proof fails).
 */
import type { Context, Federation } from '@fedify/fedify';
import { Temporal } from '@js-temporal/polyfill';
import { verifyRequestDetailed } from '@fedify/fedify/sig';
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '#common/clock';
import { problemResponse } from '#http/problem';
import { proofRefusal } from './activity-proofs';
import { activityPubErrors } from './errors';
import { SIGNATURE_WINDOW, type ApContextData } from './federation';
import type { ApKvStore } from './kv-store';
import { isFederationPath } from './uris';

const refuse = (code: keyof typeof activityPubErrors, detail: string, field?: string) =>
  problemResponse({ ...activityPubErrors[code], code, detail, ...(field ? { field } : {}) });

/**
 * Hands federation paths to Fedify, reading the body once, as sent: digests and signatures are
 * over those bytes. Mount it before anything that parses JSON bodies.
 */
export function federationMiddleware(
  federation: Federation<ApContextData>,
  options: { readonly publicUrl: string; readonly kv: ApKvStore; readonly clock: Clock },
): MiddlewareHandler {
  const publicUrl = new URL(options.publicUrl);
  return async (c, next) => {
    if (!isFederationPath(c.req.path)) return next();
    const method = c.req.method;
    const body = method === 'GET' || method === 'HEAD' ? null : await c.req.raw.text();
    // Signatures cover the URL the sender used, the public one, whatever address reached this process.
    const headers = new Headers(c.req.raw.headers);
    headers.set('host', publicUrl.host);
    const url = new URL(c.req.path + new URL(c.req.url).search, publicUrl);
    const request = new Request(url, { method, headers, ...(body !== null ? { body } : {}) });
    let raw: Record<string, unknown> | null = null;
    if (method === 'POST' && c.req.path.endsWith('/inbox')) {
      try {
        const parsed: unknown = JSON.parse(body ?? '');
        raw =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : null;
      } catch {
        return refuse('activity_malformed', 'the body is not JSON');
      }
      if (!raw || typeof raw.id !== 'string' || typeof raw.type !== 'string')
        return refuse('activity_malformed', 'an activity has an id and a type');
      if (body!.includes('\\u0000')) return refuse('activity_malformed', 'NUL characters are not accepted');
      const context = federation.createContext(request, { raw: null });
      const refusal = await checkSignature(context, request, options.kv);
      if (refusal) return refusal;
      // FEP-8b32 gives a proof precedence over the HTTP signature: one that does not hold is refused, not passed over.
      const proof = await proofRefusal(raw, context, options.clock.now());
      if (proof) return refuse('proof_invalid', proof, 'proof');
    }
    return federation.fetch(request, {
      contextData: { raw },
      onNotFound: async () => {
        await next();
        return c.res;
      },
      onNotAcceptable: async () => {
        await next();
        return c.res.status === 404 ? new Response('Not acceptable', { status: 406 }) : c.res;
      },
    });
  };
}

// RFC 9421 or draft-cavage, fresh within the window, and never seen before: a captured request replayed is refused.
async function checkSignature(
  context: Context<ApContextData>,
  request: Request,
  kv: ApKvStore,
): Promise<Response | null> {
  const result = await verifyRequestDetailed(request.clone(), {
    documentLoader: context.documentLoader,
    contextLoader: context.contextLoader,
    timeWindow: SIGNATURE_WINDOW,
  });
  if (!result.verified) return refuse('signature_invalid', `request signature: ${result.reason.type}`);
  const signature = request.headers.get('signature') ?? '';
  const seen = ['usher', 'seen-signature', createHash('sha256').update(signature).digest('base64url')] as const;
  // Kept for twice the window: older copies fail the date check anyway.
  const fresh = await kv.cas(seen, undefined, true, {
    ttl: Temporal.Duration.from({ hours: 2 * SIGNATURE_WINDOW.hours }),
  });
  return fresh ? null : refuse('signature_replayed', 'this exact signed request was already received');
}
