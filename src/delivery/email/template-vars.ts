/** The facts an email states. Names, role, rules and message are untrusted input: rendering escapes them for HTML. */
export interface TemplateVars {
  tenantName: string;
  /** #rrggbb; anything else renders as the neutral default colour. */
  brandColor: string;
  /** Shown above the heading when it is an http(s) URL; otherwise the tenant's name is. */
  logoUrl: string | null;
  /** Who invites: the host application's user named at create, else the inviting identity's display name. */
  inviterName: string;
  /** That user's address, when the create request gave one. */
  inviterEmail?: string | null;
  /** The identity the invitation is sent from; the inviter's name when not given. */
  identityName?: string;
  targetName: string;
  role: string | null;
  rules: readonly string[];
  message: string | null;
  recipientName: string | null;
  /** ISO-8601 UTC instant. */
  expiresAt: string;
  acceptUrl: string;
}
