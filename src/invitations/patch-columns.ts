import type { InvitationRow } from '#db';
import { isoTime } from '#common/json';
import { invitationError } from './errors';
import type { UpdateInvitationInput } from './schemas';
import { checkWindow } from './window';

const toDate = (value: string | null): Date | null => (value ? new Date(value) : null);

/**
 * The columns a patch changes, checked against the stored row first: the window it leaves must end in the
 * future and after it starts, and it may not allow fewer uses than are already made. Fields it omits stay.
 */
export function patchColumns(row: InvitationRow, patch: UpdateInvitationInput, now: Date): Partial<InvitationRow> {
  const startsAt = toDate(patch.startsAt === undefined ? row.starts_at : patch.startsAt);
  const expiresAt = new Date(patch.expiresAt ?? row.expires_at);
  if (patch.startsAt !== undefined || patch.expiresAt !== undefined) checkWindow(startsAt, expiresAt, now);
  if (patch.usesAllowed !== undefined && patch.usesAllowed !== null && patch.usesAllowed <= row.uses_count) {
    throw invitationError('uses_allowed_below_used', `${row.uses_count} uses are already made`, 'body.usesAllowed');
  }
  return {
    ...(patch.label !== undefined ? { label: patch.label } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
    ...(patch.startsAt !== undefined ? { starts_at: startsAt ? isoTime(startsAt) : null } : {}),
    ...(patch.expiresAt !== undefined ? { expires_at: isoTime(expiresAt) } : {}),
    ...(patch.usesAllowed !== undefined ? { uses_allowed: patch.usesAllowed } : {}),
    ...(patch.metadata !== undefined ? { metadata: JSON.stringify(patch.metadata) } : {}),
  };
}
