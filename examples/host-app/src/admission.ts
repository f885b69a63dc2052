import type { AcceptanceTokenClaims } from '@usher/sdk';
import { INVITABLE_ROLES } from './pages.ts';
import type { Admission } from './store.ts';

/** The claims of an acceptance token this app reads (see Usher's API docs for the rest). */
interface TeamClaims {
  readonly jti: string;
  readonly invitation: string;
  readonly role: string | null;
  readonly target: { readonly iri: string | null };
  readonly recipient: { readonly email: string | null; readonly name: string | null };
}

/**
 * Who a verified acceptance token admits to this team, or why it admits nobody: the token must be for this
 * team (a token of the same tenant for something else must not open it), for the invitation the form names,
 * for an email address, and with a role this app knows.
 */
export function admissionFrom(
  verified: AcceptanceTokenClaims,
  expected: { readonly teamIri: string; readonly invitationId: string },
): Admission | { readonly refused: string } {
  const claims = verified as unknown as TeamClaims;
  if (claims.target?.iri !== expected.teamIri) return { refused: 'This invitation is for another team.' };
  if (claims.invitation !== expected.invitationId) return { refused: 'The token is for another invitation.' };
  const email = claims.recipient?.email;
  if (!email) return { refused: 'The invitation named no email address.' };
  const role = claims.role;
  if (!role || !(INVITABLE_ROLES as readonly string[]).includes(role)) return { refused: `Unknown role "${role}".` };
  const name = claims.recipient.name ?? email.slice(0, email.indexOf('@'));
  return { jti: claims.jti, invitationId: claims.invitation, email, name, role };
}
