/**
 * DIDComm v1 plaintext messages: the types Usher speaks, the `~thread` decorator (Aries RFC 0008)
 * and a reader that refuses anything that is not a message. Wire formats only; no state here.
 */
import { randomUUID } from 'node:crypto';
import { didcommError } from './errors';

/** Message types Usher sends and understands, in their canonical `https://didcomm.org/` form. */
export const MessageTypes = {
  oobInvitation: 'https://didcomm.org/out-of-band/1.1/invitation',
  connectionsInvitation: 'https://didcomm.org/connections/1.0/invitation',
  connectionsRequest: 'https://didcomm.org/connections/1.0/request',
  connectionsResponse: 'https://didcomm.org/connections/1.0/response',
  connectionsProblem: 'https://didcomm.org/connections/1.0/problem_report',
  didexchangeRequest: 'https://didcomm.org/didexchange/1.1/request',
  didexchangeResponse: 'https://didcomm.org/didexchange/1.1/response',
  didexchangeComplete: 'https://didcomm.org/didexchange/1.1/complete',
  didexchangeProblem: 'https://didcomm.org/didexchange/1.1/problem_report',
  trustPing: 'https://didcomm.org/trust_ping/1.0/ping',
  trustPingResponse: 'https://didcomm.org/trust_ping/1.0/ping_response',
  forward: 'https://didcomm.org/routing/1.0/forward',
  ack: 'https://didcomm.org/notification/1.0/ack',
  // RFC 0434 handshake reuse: a known agent answering an invitation over the connection it already has.
  handshakeReuse: 'https://didcomm.org/out-of-band/1.1/handshake-reuse',
  handshakeReuseAccepted: 'https://didcomm.org/out-of-band/1.1/handshake-reuse-accepted',
  oobProblem: 'https://didcomm.org/out-of-band/1.1/problem_report',
  // RFC 0211 coordinate-mediation 1.0, Usher as the recipient.
  mediateRequest: 'https://didcomm.org/coordinate-mediation/1.0/mediate-request',
  mediateGrant: 'https://didcomm.org/coordinate-mediation/1.0/mediate-grant',
  mediateDeny: 'https://didcomm.org/coordinate-mediation/1.0/mediate-deny',
  keylistUpdate: 'https://didcomm.org/coordinate-mediation/1.0/keylist-update',
  keylistUpdateResponse: 'https://didcomm.org/coordinate-mediation/1.0/keylist-update-response',
  // RFC 0685 Pickup 2.0, Usher as the recipient.
  pickupStatusRequest: 'https://didcomm.org/messagepickup/2.0/status-request',
  pickupStatus: 'https://didcomm.org/messagepickup/2.0/status',
  pickupDeliveryRequest: 'https://didcomm.org/messagepickup/2.0/delivery-request',
  pickupDelivery: 'https://didcomm.org/messagepickup/2.0/delivery',
  pickupMessagesReceived: 'https://didcomm.org/messagepickup/2.0/messages-received',
} as const;

/** The handshake protocols an out-of-band invitation can offer (RFC 0434 `handshake_protocols`). */
export const HANDSHAKE_PROTOCOLS = {
  'didexchange/1.1': 'https://didcomm.org/didexchange/1.1',
  'didexchange/1.0': 'https://didcomm.org/didexchange/1.0',
  'connections/1.0': 'https://didcomm.org/connections/1.0',
} as const;
export type HandshakeProtocol = keyof typeof HANDSHAKE_PROTOCOLS;

/** A plaintext DIDComm v1 message: `@type`, `@id` and whatever its protocol adds. */
export interface Message {
  readonly '@type': string;
  readonly '@id': string;
  readonly '~thread'?: { readonly thid?: string; readonly pthid?: string };
  readonly [field: string]: unknown;
}

const LEGACY_PREFIX = 'did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/';
const CANONICAL_PREFIX = 'https://didcomm.org/';

/**
 * A message type in canonical form with the minor version dropped: `didexchange/1.0/request`
 * and `…/1.1/request` both read `https://didcomm.org/didexchange/1/request`. RFC 0003 §Semver:
 * a receiver handles any minor version of a major it knows. The legacy `did:sov:…;spec/` prefix
 * (RFC 0348) is read as `https://didcomm.org/`.
 */
export function normalizeType(type: string): string {
  const canonical = type.startsWith(LEGACY_PREFIX) ? CANONICAL_PREFIX + type.slice(LEGACY_PREFIX.length) : type;
  return canonical.replace(/^(https:\/\/didcomm\.org\/[^/]+)\/(\d+)\.\d+\//, '$1/$2/');
}

/** The protocol and minor version of a handshake message type, e.g. `didexchange/1.1`. */
export function protocolOf(type: string): HandshakeProtocol | null {
  const canonical = type.startsWith(LEGACY_PREFIX) ? CANONICAL_PREFIX + type.slice(LEGACY_PREFIX.length) : type;
  const match = /^https:\/\/didcomm\.org\/(didexchange|connections)\/1\.(\d+)/.exec(canonical);
  if (!match) return null;
  if (match[1] === 'connections') return 'connections/1.0';
  return match[2] === '0' ? 'didexchange/1.0' : 'didexchange/1.1';
}

/** Parses a plaintext message, refusing what has no string `@type` and `@id`. */
export function parseMessage(text: string): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw didcommError('message_malformed', 'The decrypted message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw didcommError('message_malformed', 'A message is a JSON object');
  const message = value as Record<string, unknown>;
  if (
    typeof message['@type'] !== 'string' ||
    typeof message['@id'] !== 'string' ||
    message['@id'].length === 0 ||
    message['@id'].length > 256
  ) {
    throw didcommError('message_malformed', 'A message has string @type and @id', '@type');
  }
  const thread = message['~thread'];
  if (thread !== undefined && (typeof thread !== 'object' || thread === null || Array.isArray(thread))) {
    throw didcommError('message_malformed', '~thread is an object', '~thread');
  }
  return message as Message;
}

/** The thread a message belongs to: its `~thread.thid`, or its own `@id` when it starts one (RFC 0008). */
export function threadId(message: Message): string {
  const thid = message['~thread']?.thid;
  return typeof thid === 'string' && thid.length > 0 ? thid : message['@id'];
}

/** The parent thread (`~thread.pthid`): for a handshake request, the out-of-band invitation's @id. */
export function parentThreadId(message: Message): string | null {
  const pthid = message['~thread']?.pthid;
  return typeof pthid === 'string' && pthid.length > 0 ? pthid : null;
}

/** A fresh message id. */
export function newMessageId(): string {
  return randomUUID();
}

/** A problem report in the handshake's own family (RFC 0023 §Errors, RFC 0160 §Errors). */
export function problemReport(
  protocol: HandshakeProtocol,
  thread: { thid: string; pthid?: string | null },
  code: string,
  explain: string,
): Message {
  const didexchange = protocol !== 'connections/1.0';
  return {
    '@type': didexchange ? `${HANDSHAKE_PROTOCOLS[protocol]}/problem_report` : MessageTypes.connectionsProblem,
    '@id': newMessageId(),
    '~thread': { thid: thread.thid, ...(thread.pthid ? { pthid: thread.pthid } : {}) },
    'problem-code': code,
    explain,
    // RFC 0035 field names, read by agents that implement the generic report.
    description: { code, en: explain },
  };
}

/** The problem code and explanation of a report, whichever of the RFC 0023 / RFC 0035 shapes it uses. */
export function readProblem(message: Message): { code: string; explain: string } {
  const description = message.description as { code?: unknown; en?: unknown } | undefined;
  const code =
    typeof message['problem-code'] === 'string'
      ? message['problem-code']
      : typeof description?.code === 'string'
        ? description.code
        : 'unknown';
  const explain =
    typeof message.explain === 'string' ? message.explain : typeof description?.en === 'string' ? description.en : '';
  return { code, explain: explain.slice(0, 500) };
}
