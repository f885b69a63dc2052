/**
 * The port to a social provider: what the provider channel needs from any of them. Every call
 * answers with a result; a refusal carries the provider's own error type so it can be shown as is.
 */

/** A person on the provider, as resolving a public identifier finds them. */
export interface ProviderUser {
  /** The provider, as it names itself (LINKEDIN, or USHER for another Usher). */
  readonly provider: string;
  /** The provider's internal id: what invitations are addressed to. */
  readonly providerId: string;
  readonly publicIdentifier: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
}

/** An invitation the provider accepted. */
export interface SentInvitation {
  readonly invitationId: string;
  /** The share of the provider's limit used, when the provider says (Unipile: at 50, 75, 90, 95 %). */
  readonly usage: number | null;
}

/** One invitation in the provider's list of those sent and still pending. */
export interface ListedInvitation {
  readonly id: string;
  readonly invitedUserId: string | null;
  readonly invitedUserPublicId: string | null;
  readonly invitedUser: string | null;
  readonly date: string | null;
  readonly text: string | null;
}

/** Why a call did not succeed. `retryable`: trying later may work (429, 5xx, no answer). */
export interface ConnectorFailure {
  readonly ok: false;
  /** The last HTTP status, or null when no answer came. */
  readonly status: number | null;
  /** The provider's error type, e.g. errors/too_many_characters. */
  readonly type: string | null;
  readonly detail: string;
  readonly retryable: boolean;
  /** True when the address policy stopped the call before anything was sent: the account's DSN is at fault. */
  readonly refused?: boolean;
  /** How long the provider asked us to wait (Retry-After), when it did and it was too long to wait in place. */
  readonly retryAfterMs: number | null;
}

export type ConnectorResult<T> = { readonly ok: true; readonly status: number; readonly value: T } | ConnectorFailure;

/** A provider account's API. `withdraw` is absent where the provider cannot take an invitation back. */
export interface ProviderConnector {
  resolveUser(identifier: string): Promise<ConnectorResult<ProviderUser>>;
  invite(input: {
    readonly providerId: string;
    readonly message: string | null;
  }): Promise<ConnectorResult<SentInvitation>>;
  listSent(page?: {
    readonly cursor?: string;
    readonly limit?: number;
  }): Promise<ConnectorResult<{ readonly items: ListedInvitation[]; readonly cursor: string | null }>>;
  withdraw?(invitationId: string): Promise<ConnectorResult<null>>;
}
