import type { Db, InvitationRow } from '#db';
import { getTenant, normalizeEmail } from '#tenants';
import { invitationError } from './errors';
import type { AcceptorInput } from './public-schemas';

/**
 * The other address an email invitation is accepted with, or null when the acceptor gave none or the invited one.
 * The tenant's `acceptanceEmailMismatch` decides: `refuse` throws acceptor_email_mismatch (field body.email), so
 * nothing is written; `accept_and_flag` returns the address for the membership to record. The seat stays the invited
 * address's either way: the link was mailed there. Settings are read only on a mismatch, so a matching accept costs
 * no statement more.
 */
export async function acceptedEmailOf(db: Db, row: InvitationRow, acceptor: AcceptorInput): Promise<string | null> {
  const invited = row.recipient_email_normalized;
  const given = normalizeEmail(acceptor.email);
  if (!invited || !given || given === invited) return null;
  const { settings } = await getTenant(db, row.tenant_id);
  if (settings.acceptanceEmailMismatch === 'refuse') {
    throw invitationError('acceptor_email_mismatch', undefined, 'body.email');
  }
  return given;
}
