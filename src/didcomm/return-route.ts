/**
 * Aries RFC 0092 transport return route: an agent with no endpoint of its own (a mobile wallet)
 * puts `~transport: { return_route: 'all' | 'thread' }` on what it sends, and its answers come
 * back on the same HTTP response instead of being posted to it.
 */
import { didcommError } from './errors';
import { threadId, type Message } from './messages';

/** RFC 0092 §Decorator: `none` (the default), `all`, or `thread` with `return_route_thread`. */
export const RETURN_ROUTE_MODES = ['none', 'all', 'thread'] as const;

/** Who asked for answers on the open request, and which of them it wants. */
export interface ReturnRoute {
  /** The sender's verkey (base58): messages packed to it may go back on the response. */
  readonly verkey: string;
  readonly mode: 'all' | 'thread';
  /** For `thread`: only messages on this thread. */
  readonly thread: string | null;
}

/**
 * The return route an inbound message asks for, or null (none asked, or an anonymous sender who cannot be answered).
 */
export function readReturnRoute(message: Message, senderVerkey: string | null): ReturnRoute | null {
  const transport = message['~transport'];
  if (transport === undefined) return null;
  if (typeof transport !== 'object' || transport === null || Array.isArray(transport))
    throw didcommError('message_malformed', '~transport is an object', '~transport');
  const { return_route: mode, return_route_thread: thread } = transport as {
    return_route?: unknown;
    return_route_thread?: unknown;
  };
  if (mode === undefined || mode === 'none') return null;
  if (mode !== 'all' && mode !== 'thread')
    throw didcommError(
      'message_malformed',
      `~transport.return_route is one of ${RETURN_ROUTE_MODES.join(', ')}`,
      '~transport.return_route',
    );
  if (mode === 'thread' && (typeof thread !== 'string' || thread.length === 0 || thread.length > 256)) {
    throw didcommError(
      'message_malformed',
      'return_route "thread" names its thread in return_route_thread',
      '~transport.return_route_thread',
    );
  }
  // An anoncrypted message has no sender key: nothing could be packed back to it on the response.
  if (!senderVerkey) return null;
  return { verkey: senderVerkey, mode, thread: mode === 'thread' ? (thread as string) : null };
}

/** True when a message packed to `recipientKeys` may travel back on `route`. */
export function travelsBack(
  route: ReturnRoute | null | undefined,
  recipientKeys: readonly string[],
  message: Message,
): boolean {
  if (!route || !recipientKeys.includes(route.verkey)) return false;
  return route.mode === 'all' || threadId(message) === route.thread;
}

/**
 * RFC 0092 §HTTP: only http(s) endpoints are posted to; anything else (Credo's `didcomm:transport/queue`) is picked up.
 */
export function isPostable(endpoint: string): boolean {
  return /^https?:\/\//i.test(endpoint);
}
