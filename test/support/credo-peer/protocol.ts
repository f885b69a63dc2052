/**
 * The JSON-lines protocol between the test harness (test/support/credo-peer.ts) and the Credo
 * agent child (agent.ts). The parent writes one Command per line on the child's stdin; the child
 * writes one ChildLine per line on its stdout: a Reply to each command (same id) and Events as
 * they happen. The child logs to stderr only.
 */

export interface ConnectionSummary {
  readonly id: string;
  /** Credo's DidCommDidExchangeState: start, invitation-sent, request-sent, ..., completed, abandoned. */
  readonly state: string;
  /** RFC 0160 view of the same state (null, invited, requested, responded, complete). */
  readonly rfc0160State: string;
  readonly role: string;
  /** The handshake protocol used, e.g. https://didcomm.org/didexchange/1.x or https://didcomm.org/connections/1.x. */
  readonly protocol: string | null;
  readonly did: string | null;
  readonly theirDid: string | null;
  readonly theirLabel: string | null;
  readonly outOfBandId: string | null;
  readonly threadId: string | null;
  readonly invitationDid: string | null;
  readonly errorMessage: string | null;
}

export interface HttpExchange {
  readonly url: string;
  readonly method: string;
  readonly contentType: string | null;
  readonly status: number | null;
  readonly responseContentType: string | null;
  /** The request body as sent (truncated to 64 KiB): for DIDComm, the JSON envelope. */
  readonly body: string;
  readonly responseBody: string;
  readonly error?: string;
}

export type PeerEvent =
  | { readonly type: 'connection'; readonly previousState: string | null; readonly connection: ConnectionSummary }
  | {
      readonly type: 'outOfBand';
      readonly outOfBandId: string;
      readonly role: string;
      readonly state: string;
      readonly previousState: string | null;
    }
  /** RFC 0434: the inviter accepted this agent's handshake-reuse (Credo's HandshakeReused event). */
  | {
      readonly type: 'handshakeReused';
      readonly outOfBandId: string;
      readonly connectionId: string;
      readonly reuseThreadId: string;
    }
  | { readonly type: 'trustPingReceived'; readonly connectionId: string; readonly message: Record<string, unknown> }
  | {
      readonly type: 'trustPingResponseReceived';
      readonly connectionId: string;
      readonly message: Record<string, unknown>;
    }
  | { readonly type: 'basicMessage'; readonly connectionId: string; readonly role: string; readonly content: string }
  /** A plaintext DIDComm message the agent received and processed. */
  | {
      readonly type: 'messageProcessed';
      readonly connectionId: string | null;
      readonly message: Record<string, unknown>;
    }
  /** A plaintext DIDComm message the agent packed and handed to a transport (status: sent, queued, undeliverable). */
  | {
      readonly type: 'messageSent';
      readonly connectionId: string | null;
      readonly status: string;
      readonly message: Record<string, unknown>;
    }
  /** An HTTP request the peer's inbound endpoint answered. */
  | { readonly type: 'inboundHttp'; readonly exchange: HttpExchange }
  /** An HTTP request the peer made (its outbound transport, or invitation URL fetches). */
  | { readonly type: 'outboundHttp'; readonly exchange: HttpExchange }
  /** A mediation record changed (the mediator's side, RFC 0211); recipientKeys as registered so far. */
  | {
      readonly type: 'mediation';
      readonly mediationId: string;
      readonly connectionId: string;
      readonly role: string;
      readonly state: string;
      readonly recipientKeys: readonly string[];
    }
  /** Something Credo logged at error level or worse, e.g. "Failed to process message". */
  | { readonly type: 'error'; readonly message: string; readonly detail: string };

export type Command =
  | {
      readonly id: number;
      readonly cmd: 'createInvitation';
      readonly handshake: 'didexchange' | 'connections';
      readonly multiUse?: boolean;
      readonly label?: string;
    }
  | {
      readonly id: number;
      readonly cmd: 'receiveInvitationUrl';
      readonly url: string;
      readonly label?: string;
      readonly reuseConnection?: boolean;
    }
  | { readonly id: number; readonly cmd: 'getConnection'; readonly connectionId: string }
  | { readonly id: number; readonly cmd: 'listConnections' }
  | {
      readonly id: number;
      readonly cmd: 'sendTrustPing';
      readonly connectionId: string;
      readonly responseRequested?: boolean;
      readonly withReturnRouting?: boolean;
    }
  | { readonly id: number; readonly cmd: 'sendBasicMessage'; readonly connectionId: string; readonly content: string }
  | { readonly id: number; readonly cmd: 'resolveDid'; readonly did: string }
  | { readonly id: number; readonly cmd: 'shutdown' };

export interface CreatedInvitation {
  readonly url: string;
  readonly outOfBandId: string;
  /** The invitation message as JSON (an RFC 0434 invitation, or an RFC 0160 one for 'connections'). */
  readonly invitation: Record<string, unknown>;
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

export type ChildLine =
  | {
      readonly kind: 'ready';
      readonly endpoint: string;
      readonly pid: number;
      readonly credoVersion: string;
      readonly startupMs: number;
    }
  | { readonly kind: 'reply'; readonly reply: Reply }
  | { readonly kind: 'event'; readonly event: PeerEvent }
  | { readonly kind: 'fatal'; readonly error: string };
