/**
 * Invitations on the wire: Aries RFC 0434 out-of-band 1.1 (`?oob=`) and RFC 0160 connection
 * invitations (`?c_i=`), built from what Usher stores and read from any agent's URL.
 */
import { didcommServices, type DidCommService } from './document-services';
import { createPeerDid2, didKeyToVerkey, resolveDid, verkeyToDidKey } from './dids';
import { decodeBase58, decodeBase64Url, encodeBase64Url, fromUtf8, utf8 } from './encoding';
import { didcommError } from './errors';
import { routingKeyReference } from './routing';
import {
  HANDSHAKE_PROTOCOLS,
  MessageTypes,
  normalizeType,
  protocolOf,
  type HandshakeProtocol,
  type Message,
} from './messages';

/** What Usher puts in an invitation it issues. */
export interface InvitationContent {
  /** The invitation's @id; the requester's `~thread.pthid` names it. Usher uses the invitation's own id. */
  readonly id: string;
  readonly label: string;
  /** The invitation's own recipient key, base58. */
  readonly verkey: string;
  /** Usher's public `/didcomm` URL, or its mediator's endpoint. */
  readonly serviceEndpoint: string;
  /** The mediator's routing keys (base58), when Usher is reached through one; none by default. */
  readonly routingKeys?: readonly string[];
  /** In order of preference; DID Exchange 1.1 by default. `connections/1.0` alone gives a `c_i` invitation. */
  readonly handshakeProtocols: readonly HandshakeProtocol[];
  readonly goalCode?: string | null;
  readonly goal?: string | null;
  readonly imageUrl?: string | null;
  /**
   * `inline` (default): a did-communication service object; `did`: a did:peer:2 that carries the same key and endpoint.
   */
  readonly serviceForm?: 'inline' | 'did';
}

/** An invitation read from a URL: which handshakes it offers and where to send the request. */
export interface ParsedInvitation {
  readonly kind: 'oob' | 'connections';
  readonly message: Message;
  readonly id: string;
  readonly label: string | null;
  /** Offered handshakes Usher speaks, in the inviter's order of preference. */
  readonly handshakeProtocols: readonly HandshakeProtocol[];
  /** The first usable DIDComm v1 service. */
  readonly service: DidCommService;
}

/** True when the invitation is a legacy RFC 0160 one (`c_i`) rather than out-of-band. */
export function isLegacyInvitation(content: InvitationContent): boolean {
  return content.handshakeProtocols.length === 1 && content.handshakeProtocols[0] === 'connections/1.0';
}

/** The invitation message: RFC 0434 §Messages "invitation", or RFC 0160 §0 "invitation to connect". */
export function buildInvitation(content: InvitationContent): Message {
  if (isLegacyInvitation(content)) {
    return {
      '@type': MessageTypes.connectionsInvitation,
      '@id': content.id,
      label: content.label,
      recipientKeys: [content.verkey],
      serviceEndpoint: content.serviceEndpoint,
      routingKeys: [...(content.routingKeys ?? [])],
      ...(content.imageUrl ? { imageUrl: content.imageUrl } : {}),
    };
  }
  const routingKeys = content.routingKeys ?? [];
  return {
    '@type': MessageTypes.oobInvitation,
    '@id': content.id,
    label: content.label,
    ...(content.goalCode ? { goal_code: content.goalCode } : {}),
    ...(content.goal ? { goal: content.goal } : {}),
    accept: ['didcomm/aip1', 'didcomm/aip2;env=rfc19'],
    handshake_protocols: content.handshakeProtocols.map((protocol) => HANDSHAKE_PROTOCOLS[protocol]),
    // RFC 0434 §services: an inline service block, or a DID whose document holds the service.
    services: [
      content.serviceForm === 'did'
        ? createPeerDid2({
            publicKey: decodeBase58(content.verkey),
            serviceEndpoint: content.serviceEndpoint,
            routingKeys: routingKeys.map(routingKeyReference),
          })
        : {
            id: '#inline',
            type: 'did-communication',
            recipientKeys: [verkeyToDidKey(content.verkey)],
            routingKeys: routingKeys.map(verkeyToDidKey),
            serviceEndpoint: content.serviceEndpoint,
          },
    ],
    ...(content.imageUrl ? { imageUrl: content.imageUrl } : {}),
  };
}

/**
 * The invitation URL: `<endpoint>?oob=<base64url(json)>`, or `?c_i=` for a connection invitation (RFC 0434 §Standard
 * Out-of-Band Message Encoding).
 */
export function invitationUrlOf(baseUrl: string, message: Message): string {
  const parameter =
    normalizeType(message['@type']) === normalizeType(MessageTypes.connectionsInvitation) ? 'c_i' : 'oob';
  return `${baseUrl}?${parameter}=${encodeBase64Url(utf8(JSON.stringify(message)))}`;
}

/**
 * Reads an invitation URL as agents publish them: `?oob=` or `?c_i=` (also `d_m=`, an older
 * spelling), base64url or standard base64, padded or not. Refuses with what is wrong.
 */
export function parseInvitationUrl(url: string): ParsedInvitation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw didcommError('invitation_url_malformed', 'Not a URL', 'body.invitationUrl');
  }
  const encoded = parsed.searchParams.get('oob') ?? parsed.searchParams.get('c_i') ?? parsed.searchParams.get('d_m');
  if (!encoded)
    throw didcommError('invitation_url_malformed', 'The URL has no oob, c_i or d_m parameter', 'body.invitationUrl');
  let message: unknown;
  try {
    message = JSON.parse(fromUtf8(decodeBase64Url(encoded.replace(/ /g, '+'))));
  } catch {
    throw didcommError(
      'invitation_url_malformed',
      'The invitation parameter is not base64-encoded JSON',
      'body.invitationUrl',
    );
  }
  return parseInvitation(message);
}

/** Validates an invitation message and picks the handshake and service Usher would use. */
export function parseInvitation(value: unknown): ParsedInvitation {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw didcommError('invitation_url_malformed', 'The invitation is not a JSON object', 'body.invitationUrl');
  const message = value as Message;
  if (typeof message['@id'] !== 'string' || message['@id'].length === 0 || message['@id'].length > 256) {
    throw didcommError('invitation_url_malformed', 'The invitation has no @id', 'body.invitationUrl');
  }
  const label = typeof message.label === 'string' ? message.label.slice(0, 200) : null;
  const type = typeof message['@type'] === 'string' ? normalizeType(message['@type']) : '';
  if (type === normalizeType(MessageTypes.connectionsInvitation)) {
    return {
      kind: 'connections',
      message,
      id: message['@id'],
      label,
      handshakeProtocols: ['connections/1.0'],
      service: legacyService(message),
    };
  }
  if (type !== normalizeType(MessageTypes.oobInvitation)) {
    throw didcommError(
      'invitation_unsupported',
      `Not an out-of-band or connection invitation: ${String(message['@type']).slice(0, 100)}`,
      'body.invitationUrl',
    );
  }
  const offered = Array.isArray(message.handshake_protocols) ? message.handshake_protocols : [];
  const protocols = offered
    .map((p) => (typeof p === 'string' ? protocolOf(`${p}/`) : null))
    .filter((p): p is HandshakeProtocol => p !== null);
  if (protocols.length === 0) {
    throw didcommError(
      'invitation_unsupported',
      'The invitation offers no DID Exchange 1.x or Connections 1.0 handshake (request attachments alone are not supported)',
      'body.invitationUrl',
    );
  }
  const services = Array.isArray(message.services) ? message.services : [];
  const service = services.map(readService).find((s): s is DidCommService => s !== null);
  if (!service)
    throw didcommError(
      'invitation_unsupported',
      'The invitation has no DIDComm v1 service Usher can reach (inline did-communication, did:peer or did:key)',
      'body.invitationUrl',
    );
  return { kind: 'oob', message, id: message['@id'], label, handshakeProtocols: protocols, service };
}

// RFC 0434 §services: an inline service object, or a DID whose document has the service.
function readService(entry: unknown): DidCommService | null {
  try {
    if (typeof entry === 'string') return didcommServices(resolveDid(entry))[0] ?? null;
    if (typeof entry !== 'object' || entry === null) return null;
    const service = entry as Record<string, unknown>;
    const keys = (list: unknown) =>
      Array.isArray(list)
        ? list.map((key) => (typeof key === 'string' && key.startsWith('did:key:') ? didKeyToVerkey(key) : key))
        : [];
    const inline = {
      id: typeof service.id === 'string' ? service.id : '#inline',
      type: 'did-communication',
      serviceEndpoint: service.serviceEndpoint,
      recipientKeys: keys(service.recipientKeys),
      routingKeys: keys(service.routingKeys),
    };
    return (
      didcommServices({
        id: 'did:invitation',
        verificationMethod: [],
        authentication: [],
        assertionMethod: [],
        keyAgreement: [],
        capabilityInvocation: [],
        capabilityDelegation: [],
        service: [inline],
      })[0] ?? null
    );
  } catch {
    return null;
  }
}

function legacyService(message: Message): DidCommService {
  if (typeof message.did === 'string') {
    throw didcommError(
      'invitation_unsupported',
      'Connection invitations by public DID need a ledger; Usher reads inline keys and endpoint',
      'body.invitationUrl',
    );
  }
  const service = readService({
    id: '#inline',
    serviceEndpoint: message.serviceEndpoint,
    recipientKeys: message.recipientKeys,
    routingKeys: message.routingKeys ?? [],
  });
  if (!service)
    throw didcommError(
      'invitation_unsupported',
      'The connection invitation needs recipientKeys and a serviceEndpoint',
      'body.invitationUrl',
    );
  return service;
}
