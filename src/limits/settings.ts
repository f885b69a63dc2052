/** Requests a minute each client may make to each route group; 0 turns a group's limit off. */
export interface ClientLimitsPerMinute {
  /** The invitee's routes: `/v1/public/invitations/*` and the accept page `/i/:token` with its POSTs. */
  readonly public: number;
  /** Console sign-in attempts (POST /console/login), besides the lockout after failures. */
  readonly signIn: number;
  /** DIDComm envelopes (POST /didcomm). */
  readonly didcomm: number;
  /** ActivityPub deliveries to the actors' and the shared inbox. */
  readonly inbox: number;
}

/** How anonymous callers are told apart and limited. */
export interface ClientLimitSettings {
  /** Addresses and CIDR blocks whose X-Forwarded-For is believed; none by default. */
  readonly trustedProxies: readonly string[];
  readonly perMinute: ClientLimitsPerMinute;
}

/**
 * An invitee opens, accepts or declines a handful of times, but many share one address behind a
 * NAT: 120 a minute. A person signs in a few times a minute at most: 10. DIDComm agents and other
 * servers' inboxes carry many users' traffic from one address: 300 and 600.
 */
export const DEFAULT_CLIENT_LIMITS: ClientLimitSettings = Object.freeze({
  trustedProxies: [],
  perMinute: Object.freeze({ public: 120, signIn: 10, didcomm: 300, inbox: 600 }),
});
