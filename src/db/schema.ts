import type {
  DidcommKeyRow,
  DidcommConnectionRow,
  DidcommHeldMessageRow,
  DidcommMediatorRow,
  DidcommMediatedKeyRow,
  ApKeyRow,
  ApKvRow,
  ApActivityRow,
  ApTargetRow,
  InvitationNumberRow,
  RateLimitWindowRow,
  InviteQuotaWindowRow,
  ProviderAccountRow,
  ProviderSendRow,
  ProvenDeletionRow,
} from './protocol-rows';

export type * from './protocol-rows';
import type { ClientLimitWindowRow, SignInFailureRow } from './limit-rows';
export type * from './limit-rows';
import type { AuditEventRow } from './audit-rows';
export type * from './audit-rows';
import type { JoinRequestRow } from './join-request-rows';
export type * from './join-request-rows';

/**
 * Row types of every table, as Kysely sees them. Timestamps are ISO-8601 UTC strings with
 * milliseconds (they sort as text on both engines); JSON columns are text; flags are 0/1.
 */
export interface Database {
  tenants: TenantRow;
  api_keys: ApiKeyRow;
  identities: IdentityRow;
  contacts: ContactRow;
  contact_tags: ContactTagRow;
  invitations: InvitationRow;
  invitation_tokens: InvitationTokenRow;
  redemptions: RedemptionRow;
  memberships: MembershipRow;
  invitation_events: InvitationEventRow;
  idempotency_keys: IdempotencyKeyRow;
  outbox: OutboxRow;
  delivery_attempts: DeliveryAttemptRow;
  mailbox: MailboxRow;
  webhook_endpoints: WebhookEndpointRow;
  signing_keys: SigningKeyRow;
  console_sessions: ConsoleSessionRow;
  didcomm_keys: DidcommKeyRow;
  didcomm_connections: DidcommConnectionRow;
  didcomm_held_messages: DidcommHeldMessageRow;
  didcomm_mediators: DidcommMediatorRow;
  didcomm_mediated_keys: DidcommMediatedKeyRow;
  ap_keys: ApKeyRow;
  ap_kv: ApKvRow;
  ap_activities: ApActivityRow;
  ap_targets: ApTargetRow;
  invitation_numbers: InvitationNumberRow;
  rate_limit_windows: RateLimitWindowRow;
  invite_quota_windows: InviteQuotaWindowRow;
  provider_accounts: ProviderAccountRow;
  provider_sends: ProviderSendRow;
  proven_deletions: ProvenDeletionRow;
  client_limit_windows: ClientLimitWindowRow;
  sign_in_failures: SignInFailureRow;
  audit_events: AuditEventRow;
  email_proofs: EmailProofRow;
  join_requests: JoinRequestRow;
  did_challenges: DidChallengeRow;
}

/** A challenge issued for a DID-bound invitation: the nonce's SHA-256 (hex) until an accept uses it or it expires. */
export interface DidChallengeRow {
  nonce_hash: string;
  tenant_id: string;
  invitation_id: string;
  expires_at: string;
}

export interface TenantRow {
  id: string;
  name: string;
  settings: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown in listings so people can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key: keys carry 256 random bits, so a fast hash is enough. */
  key_hash: string;
  /** 1 for keys that may create other tenants (the bootstrap key). */
  operator: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** JSON array of scopes; null: every scope but tenants:manage, which `operator` gives (keys before 0019). */
  scopes: string | null;
  /** JSON array of roles its invitations may grant, `["*"]` for any; null: any. */
  grantable_roles: string | null;
  /** JSON array of IRI prefixes its invitations' targets must start with; null: any target. */
  allowed_targets: string | null;
  /** JSON `{ perHour, perDay }` (each a number or null for none); null: the tenant's default key quotas. */
  invite_quota: string | null;
}

export interface IdentityRow {
  id: string;
  tenant_id: string;
  handle: string;
  display_name: string;
  did: string;
  public_key: string;
  private_key: string;
  status: string;
  is_default: number;
  created_at: string;
  updated_at: string;
}

export interface ContactRow {
  id: string;
  tenant_id: string;
  name: string | null;
  email: string | null;
  email_normalized: string | null;
  did: string | null;
  actor_iri: string | null;
  provider_handles: string;
  tags: string;
  created_at: string;
  updated_at: string;
}

export interface ContactTagRow {
  contact_id: string;
  tenant_id: string;
  tag: string;
}

export interface InvitationRow {
  id: string;
  tenant_id: string;
  identity_id: string;
  channel: string;
  direction: string;
  status: string;
  recipient_email: string | null;
  recipient_email_normalized: string | null;
  recipient_contact_id: string | null;
  recipient_did: string | null;
  recipient_actor: string | null;
  recipient_provider: string | null;
  recipient_name: string | null;
  target_type: string;
  /** 'tenant' or the target IRI: what memberships and the one-pending rule key on. */
  target_key: string;
  target_iri: string | null;
  target_name: string | null;
  role: string | null;
  rules: string | null;
  message: string | null;
  label: string | null;
  description: string | null;
  purpose: string | null;
  public: number;
  /** null means unlimited. */
  uses_allowed: number | null;
  uses_count: number;
  starts_at: string | null;
  expires_at: string;
  payload: string | null;
  metadata: string;
  locale: string | null;
  /** Bumped on every write; updates are conditional on it (optimistic concurrency). */
  version: number;
  /** A server-wide integer id, in creation order: what APIs with integer ids (Indicio Proven) show. */
  number: number | null;
  /** The host application's user who sent it, as the create request named them, or the identity standing in. */
  invited_by_id: string | null;
  invited_by_name: string | null;
  invited_by_email: string | null;
  /** 'request' or 'identity'; null on rows made before inviters were recorded. */
  invited_by_source: string | null;
  /** Where the accept flow ends for this invitation; null: the tenant's redirect URL. */
  redirect_url: string | null;
  /** The roles the creating key could grant (JSON array); null: any. Checked again at accept. */
  grantable_roles: string | null;
  /** The email domains a shareable link admits, proved (JSON array, lowercase); null: anyone. */
  allowed_domains?: string | null;
  /** 1: accepting makes a join request that someone approves; 0: accepting admits. */
  require_approval: number;
  created_at: string;
  updated_at: string;
}

/** A one-time code mailed to prove an address on a link with allowed domains. */
export interface EmailProofRow {
  id: string;
  tenant_id: string;
  invitation_id: string;
  /** Lowercased. */
  email: string;
  /** SHA-256 of the code; the code itself is only ever in the mail that carried it. */
  code_hash: string;
  /** Wrong codes given so far; at the limit the code is dead. */
  attempts: number;
  expires_at: string;
  created_at: string;
}

export interface InvitationTokenRow {
  /** SHA-256 of the token; the token itself is only ever in the message that carried it. */
  token_hash: string;
  invitation_id: string;
  tenant_id: string;
  /** What the link was handed to: 'api' (create/resend response), 'email', 'reminder'. */
  minted_for: string;
  created_at: string;
  /** Set by resend and reset-link, which kill every earlier link. */
  revoked_at: string | null;
  /** Which link of the invitation this is (1, 2, …), derived from the server secret; null before migration 0017. */
  generation: number | null;
  /** Fingerprint of the secret that derived it; the link is recoverable only while the server has that secret. */
  secret_id: string | null;
}

export interface RedemptionRow {
  id: string;
  tenant_id: string;
  invitation_id: string;
  acceptor: string;
  membership_id: string | null;
  created_at: string;
}

export interface MembershipRow {
  id: string;
  tenant_id: string;
  /** 'tenant' for the tenant itself, otherwise the target IRI. */
  target_key: string;
  target_type: string;
  target_iri: string | null;
  target_name: string | null;
  /** The stable identity of the member: `email:…`, `did:…`, `actor:…`, `contact:…` or `subject:…`. */
  member_key: string;
  member_email: string | null;
  member_did: string | null;
  member_actor: string | null;
  member_subject: string | null;
  member_name: string | null;
  contact_id: string | null;
  role: string | null;
  rules: string | null;
  invitation_id: string;
  /** The address that accepted an email invitation when it was not the invited one; else null. */
  accepted_email: string | null;
  created_at: string;
  updated_at: string;
}

export interface InvitationEventRow {
  id: string;
  tenant_id: string;
  invitation_id: string;
  type: string;
  previous_status: string | null;
  new_status: string;
  actor: string;
  data: string;
  created_at: string;
}

export interface IdempotencyKeyRow {
  tenant_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: string;
}

/** Something to deliver: written in the transaction of the change that causes it. */
export interface OutboxRow {
  id: string;
  tenant_id: string;
  /** 'email.invitation' | 'email.reminder' | 'webhook' | 'didcomm.message' | 'activitypub.send' */
  topic: string;
  invitation_id: string | null;
  endpoint_id: string | null;
  /** JSON; never a token or an invitation URL. */
  payload: string;
  /** 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' */
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  /** A claim is a lease: a worker that dies loses its rows when it runs out. */
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
}

export interface DeliveryAttemptRow {
  id: string;
  outbox_id: string;
  tenant_id: string;
  attempt: number;
  started_at: string;
  finished_at: string;
  /** 'sent' | 'failed' | 'skipped' */
  outcome: string;
  response_code: number | null;
  /** The response body or SMTP reply, truncated. */
  response: string | null;
  error: string | null;
}

/** Messages kept locally when no SMTP server is configured. */
export interface MailboxRow {
  id: string;
  tenant_id: string;
  outbox_id: string | null;
  message_id: string;
  from_address: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: string;
}

export interface WebhookEndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  events: string;
  /** The Standard Webhooks signing secret (whsec_…); needed in clear to sign. */
  secret: string;
  /** 'enabled' | 'disabled' */
  status: string;
  failure_streak: number;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** A tenant's Ed25519 key for acceptance tokens; retired keys stay published for verification. */
export interface SigningKeyRow {
  kid: string;
  tenant_id: string;
  /** base64url raw public key */
  public_key: string;
  /** base64url raw private key */
  private_key: string;
  /** 'active' | 'retired' */
  status: string;
  created_at: string;
  retired_at: string | null;
}

/** A signed-in console operator: the session cookie's hash, the key it signed in with, its CSRF token. */
export interface ConsoleSessionRow {
  id_hash: string;
  tenant_id: string;
  api_key_id: string;
  /** Synchronizer token every console form must echo; not a credential without the cookie. */
  csrf_token: string;
  created_at: string;
  expires_at: string;
}
