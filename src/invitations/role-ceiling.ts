import type { InvitationRow } from '#db';
import { ANY_ROLE, assertRoleGrantable, assertTargetAllowed, type KeyRights } from '#common/rights';

/**
 * Checks a new invitation against the rights of the key creating it (read with its quota, `findInvitingKey`) (its role among the key's
 * grantable roles, its target within the key's allowed prefixes; 403 otherwise) and returns what
 * the invitation stores as its ceiling: the roles that key could grant, as JSON, null for any.
 * Every surface creates through the service with its key as the actor, so one check covers the
 * native API, bulk, the compatibility APIs, the console and every channel.
 */
export function roleCeilingAtCreate(
  rights: KeyRights | null,
  invitation: { role: string | null; targetIri: string | null },
): string | null {
  // No key (the system), or one that no longer exists, which cannot be acting: authentication found it.
  if (!rights) return null;
  assertRoleGrantable(rights.grantableRoles, invitation.role);
  assertTargetAllowed(rights.allowedTargets, invitation.targetIri);
  return rights.grantableRoles.includes(ANY_ROLE) ? null : JSON.stringify(rights.grantableRoles);
}

/**
 * Refuses to accept an invitation whose role is above the ceiling stored at its creation: a role
 * raised afterwards (by any path, a future edit or a hand-made change) grants no more than the
 * creating key could. 403 `role_not_grantable`.
 */
export function assertRoleWithinCeiling(row: InvitationRow): void {
  if (row.grantable_roles === null) return;
  assertRoleGrantable(JSON.parse(row.grantable_roles) as string[], row.role, 'invitation.role');
}
