import type { Generated } from 'kysely';

/**
 * Row types of the protocol and integration tables: DIDComm, ActivityPub, invitation numbers, rate limits, providers.
 */

/** An Ed25519 key Usher holds for DIDComm: an invitation's recipient key or a connection's own key. */
export interface DidcommKeyRow {
  /** base58 public key: the `kid` inbound envelopes are addressed to. */
  verkey: string;
  tenant_id: string;
  /** base64url 32-byte seed; needed in clear to open envelopes and sign. */
  secret: string;
  invitation_id: string | null;
  connection_id: string | null;
  created_at: string;
}

/** A DIDComm v1 connection, as inviter (responder) or invitee (requester). */
export interface DidcommConnectionRow {
  id: string;
  tenant_id: string;
  identity_id: string;
  /** The outgoing invitation it redeemed, or the incoming one it accepted. */
  invitation_id: string | null;
  contact_id: string | null;
  /** 'inviter' | 'invitee' */
  role: string;
  /** 'didexchange/1.1' | 'didexchange/1.0' | 'connections/1.0' */
  protocol: string;
  /** RFC 0023 states: request-sent, response-sent, completed, abandoned, … */
  state: string;
  /** The handshake's thread: the request's @id. */
  thread_id: string;
  /** The out-of-band invitation's @id. */
  parent_thread_id: string | null;
  our_did: string;
  our_verkey: string;
  their_did: string | null;
  /** JSON: their resolved DID document. */
  their_did_doc: string | null;
  their_label: string | null;
  /** Our own name for the connection (the invitation's alias, or the accepting call's). */
  alias: string | null;
  their_verkey: string | null;
  /** The invitation's recipient key (base58): signs or verifies the response. */
  invitation_key: string | null;
  /** JSON {code, explain} of the problem report that abandoned it. */
  error: string | null;
  last_ping_at: string | null;
  last_ping_response_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * A packed DIDComm message held for an agent Usher cannot post to; handed over on that agent's next return-route
 * request (RFC 0092).
 */
export interface DidcommHeldMessageRow {
  id: string;
  tenant_id: string;
  connection_id: string | null;
  invitation_id: string | null;
  /** base58 verkey the envelope is packed to. */
  recipient_key: string;
  /** Our sender key, while a mediator has not confirmed it: the message leaves only once it has. */
  awaiting_key: string | null;
  /** Where it is posted once released; null: the recipient takes it on a return route. */
  endpoint: string | null;
  /** The message's thread (`~thread.thid`, or its own @id). */
  thread_id: string;
  message_type: string;
  /** The RFC 0019 envelope as JSON text. */
  envelope: string;
  created_at: string;
}

/** A mediator Usher is the recipient of (RFC 0211), over one of its connections. */
export interface DidcommMediatorRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  /** 'requested' | 'granted' | 'denied' */
  state: string;
  /** The mediate-request's @id. */
  thread_id: string;
  /** From the grant: where others send to us. */
  endpoint: string | null;
  /** JSON array of base58 routing keys, from the grant. */
  routing_keys: string | null;
  last_pickup_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One of our keys as registered with a mediator (RFC 0211 keylist-update). */
export interface DidcommMediatedKeyRow {
  verkey: string;
  tenant_id: string;
  mediator_id: string;
  /** 'requested' | 'registered' | 'refused' */
  state: string;
  created_at: string;
  updated_at: string;
}

/** An identity's ActivityPub key pairs, as JWK JSON; made the first time the actor is needed. */
export interface ApKeyRow {
  identity_id: string;
  tenant_id: string;
  rsa_public: string;
  rsa_private: string;
  ed25519_public: string;
  ed25519_private: string;
  created_at: string;
}

/** Fedify's key-value store (remote documents, keys, idempotence marks), shared by every process. */
export interface ApKvRow {
  /** JSON array of the key's parts. */
  key: string;
  value: string;
  expires_at: string | null;
}

/** An ActivityPub activity received ('in') or sent ('out'), kept once per id. */
export interface ApActivityRow {
  id: string;
  tenant_id: string;
  invitation_id: string | null;
  direction: string;
  activity_id: string;
  type: string;
  actor: string;
  object_id: string | null;
  /** The activity as JSON. */
  payload: string;
  created_at: string;
}

/** A project, event or group a tenant invites into, served as an ActivityStreams object at /ap/targets/{id}. */
export interface ApTargetRow {
  id: string;
  tenant_id: string;
  /** The identity that invites into it: its attributedTo. */
  identity_id: string;
  target_key: string;
  type: string;
  /** The host application's own IRI for it (the object's `url`). */
  iri: string | null;
  name: string | null;
  created_at: string;
}

/** The sequence behind invitation numbers. */
export interface InvitationNumberRow {
  number: Generated<number>;
  invitation_id: string;
}

/** Requests a tenant made in one window of its rate limit. */
export interface RateLimitWindowRow {
  tenant_id: string;
  window_start: string;
  count: number;
}

/** Invitations one subject (an API key, or the host application's `invitedBy.id`) made in one fixed window. */
export interface InviteQuotaWindowRow {
  tenant_id: string;
  /** 'key' | 'inviter' */
  subject: string;
  /** The API key's id, or the `invitedBy.id`. */
  subject_id: string;
  /** 'hour' | 'day' */
  period: string;
  window_start: string;
  count: number;
}

/** An invitation deleted through Indicio Proven's API: hidden from Proven's reads, kept for the native API. */
export interface ProvenDeletionRow {
  invitation_id: string;
  tenant_id: string;
  deleted_at: string;
}

/** A tenant's account on a social provider, reached through a Unipile-compatible API. */
export interface ProviderAccountRow {
  id: string;
  tenant_id: string;
  /** 'linkedin' */
  provider: string;
  name: string | null;
  /** The API's host[:port], or a full http(s) base URL. */
  dsn: string;
  /** Needed in clear to call the provider; never shown after creation. */
  api_key: string;
  /** The account's id on the provider's API (Unipile's account_id). */
  account_id: string;
  /** 'free' | 'paid' */
  plan: string;
  /** JSON: the limits set by the operator over the plan's defaults. */
  limit_overrides: string;
  created_at: string;
  updated_at: string;
}

/** One invitation paced through a provider account: its slot counts against the account's quotas. */
export interface ProviderSendRow {
  id: string;
  tenant_id: string;
  account_id: string;
  invitation_id: string;
  with_note: number;
  /** When it may go: the outbox row's first next_attempt_at. */
  scheduled_at: string;
  /** 'scheduled' | 'sent' | 'failed' | 'cancelled' | 'withdrawn' (sent, then taken back on revoke) */
  status: string;
  /** The provider's id for the invitation, once sent. */
  remote_invitation_id: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}
