import type { Db, InvitationRow } from '#db';
import type { AppError } from '#common/errors';
import { getTenant, normalizeEmail } from '#tenants';
import { allowedDomainsOf, isAtAllowedDomain } from './allowed-domains';
import { verifyEmailAssertion } from './email-assertion';
import { startEmailProof, useEmailCode } from './email-proofs';
import { invitationError } from './errors';
import { lifecycleState } from './record';
import { transition } from './lifecycle';
import type { LinkKey } from './links';

/** How an acceptor proves its address on a link with allowed domains: one of the two. */
export interface EmailProofInput {
  readonly email?: string | undefined;
  readonly emailCode?: string | undefined;
  readonly emailAssertion?: string | undefined;
}

/** The address given, lowercased, if the link admits its domain; throws email_domain_not_allowed otherwise. */
function admittedAddress(domains: readonly string[], email: string | undefined, field: string): string {
  const address = normalizeEmail(email);
  if (!address) throw invitationError('email_proof_required', 'give the email to prove', field);
  // The page's form is not checked by a schema: an address with spaces or line breaks is never mailed to.
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw invitationError('email_domain_not_allowed', 'not an address', field);
  if (!isAtAllowedDomain(address, domains)) {
    throw invitationError('email_domain_not_allowed', `addresses at ${domains.join(', ')} only`, field, {
      allowedDomains: domains,
    });
  }
  return address;
}

/**
 * The admission rule of a link with `allowedDomains`, checked in the accepting transaction before a seat is given
 * (or given back): the address is at an allowed domain and proved, by a mailed code (used up here) or the host
 * application's assertion; never taken on the acceptor's word. A link without allowed domains admits as before.
 * Refusals throw, writing nothing, except a wrong code: its attempt is counted and the refusal returned, for the
 * caller to raise once that count is committed.
 */
export async function admissionRefusal(
  trx: Db,
  key: LinkKey,
  row: InvitationRow,
  proof: EmailProofInput,
  now: Date,
): Promise<AppError | null> {
  const domains = allowedDomainsOf(row);
  if (!domains) return null;
  const email = admittedAddress(domains, proof.email, 'body.email');
  if (proof.emailAssertion !== undefined) {
    const { settings } = await getTenant(trx, row.tenant_id);
    verifyEmailAssertion(proof.emailAssertion, { email, invitationId: row.id, now }, settings.emailAssertionKeys);
    return null;
  }
  if (proof.emailCode !== undefined) return useEmailCode(trx, key, row, email, proof.emailCode, now);
  throw invitationError(
    'email_proof_required',
    'ask for a code (POST …/email-code), then accept with it',
    'body.emailCode',
  );
}

/**
 * Starts proving `email` on an open link with allowed domains: stores a new code (hashed) and returns the proof's
 * id for the mail. Refused as accepting would be when the invitation cannot be accepted now, so no code is mailed
 * for a link that is spent, revoked or expired.
 */
export async function startAdmissionProof(
  trx: Db,
  key: LinkKey,
  row: InvitationRow,
  email: string,
  now: Date,
): Promise<{ readonly id: string; readonly expiresAt: string }> {
  const domains = allowedDomainsOf(row);
  if (!domains) throw invitationError('email_proof_not_needed', undefined, 'path.token');
  const result = transition(lifecycleState(row), 'accept', now);
  if (!result.ok) throw invitationError(result.refusal);
  return startEmailProof(trx, key, row, admittedAddress(domains, email, 'body.email'), now);
}
