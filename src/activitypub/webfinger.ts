/** Resolves a fediverse handle (`user@host`) to an actor IRI with WebFinger (RFC 7033, ActivityPub §B). */
import type { Context } from '@fedify/fedify';
import { isIP } from 'node:net';

/** Why a handle did not resolve: `unknown` is final (404, no self link), `unreachable` may pass. */
export class HandleResolutionError extends Error {
  constructor(
    message: string,
    readonly kind: 'unknown' | 'unreachable',
  ) {
    super(message);
  }
}

/**
 * The actor IRI of `user@host`. WebFinger is https only; a loopback or IP-literal host is asked
 * over http when private networks are allowed (tests and local federation), which Fedify's own
 * lookup never does.
 */
export async function resolveHandle(
  context: Pick<Context<unknown>, 'lookupWebFinger'>,
  handle: string,
  allowPrivateNetwork: boolean,
): Promise<string> {
  const [user, host] = handle.replace(/^@/, '').split('@') as [string, string];
  const resource = `acct:${user}@${host}`;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const local = hostname === 'localhost' || isIP(hostname) !== 0;
  let links: Array<{ rel?: string; type?: string; href?: string }> | undefined;
  if (allowPrivateNetwork && local) {
    let response: Response;
    try {
      response = await fetch(`http://${host}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`, {
        headers: { accept: 'application/jrd+json' },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new HandleResolutionError(`WebFinger at ${host}: ${(error as Error).message}`, 'unreachable');
    }
    if (response.status === 404) throw new HandleResolutionError(`${host} knows no ${resource}`, 'unknown');
    if (!response.ok)
      throw new HandleResolutionError(`WebFinger at ${host} answered ${response.status}`, 'unreachable');
    links = ((await response.json()) as { links?: typeof links }).links;
  } else {
    const descriptor = await context.lookupWebFinger(resource);
    if (!descriptor) throw new HandleResolutionError(`${host} does not resolve ${resource}`, 'unknown');
    links = descriptor.links as typeof links;
  }
  const self = links?.find(
    (link) => link.rel === 'self' && /activity\+json|ld\+json/.test(link.type ?? '') && typeof link.href === 'string',
  );
  if (!self?.href) throw new HandleResolutionError(`${resource} has no ActivityPub actor`, 'unknown');
  return self.href;
}
