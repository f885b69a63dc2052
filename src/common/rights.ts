import { defineErrors, errorFactory } from './errors';

/**
 * What an API key may do, one scope per kind of work. Every authenticated route names the one it
 * needs (`x-usher-scope` in /openapi.json); a console session has the scopes of the key it signed in with.
 */
export const SCOPES = [
  'invitations:read',
  'invitations:write',
  'keys:manage',
  'webhooks:manage',
  'settings:manage',
  'identities:manage',
  'contacts:manage',
  'tenants:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

/** The one scope only operator keys hold: making tenants. Keys from before scopes existed have the rest. */
export const OPERATOR_SCOPE: Scope = 'tenants:manage';

/** Any role: the grantable roles of an unrestricted key. */
export const ANY_ROLE = '*';

/** A key's rights: what it may do, which roles its invitations may grant, which targets they may name. */
export interface KeyRights {
  readonly scopes: readonly Scope[];
  /** `["*"]`: any role. */
  readonly grantableRoles: readonly string[];
  /** IRI prefixes an invitation's target must start with; null: any target, the tenant itself included. */
  readonly allowedTargets: readonly string[] | null;
}

/** A key's own invitation quota (the tenants capability's InviteQuota): invitations per hour and per day. */
export interface KeyQuota {
  readonly perHour: number | null;
  readonly perDay: number | null;
}

/** Refusals for a key (or a session) acting beyond its rights; 403, each naming what is missing. */
export const rightsErrors = defineErrors({
  scope_missing: { status: 403, title: 'The API key lacks the scope this needs' },
  role_not_grantable: { status: 403, title: 'The API key may not grant this role' },
  target_not_allowed: { status: 403, title: 'The API key may not invite into this target' },
});

const rightsError = errorFactory(rightsErrors);

/** Every scope a key can have: all but tenants:manage, which only operator keys hold. */
export const unrestrictedScopes = (operator: boolean): Scope[] =>
  SCOPES.filter((scope) => scope !== OPERATOR_SCOPE || operator);

/** A key's full rights: what a key made before scopes, or with none asked for, has. */
export const unrestrictedRights = (operator = false): KeyRights => ({
  scopes: unrestrictedScopes(operator),
  grantableRoles: [ANY_ROLE],
  allowedTargets: null,
});

/** The rights a stored key has; null columns (keys made before scopes) mean everything it had before. */
export function keyRightsOf(columns: {
  readonly operator: number | boolean;
  readonly scopes: string | null;
  readonly grantable_roles: string | null;
  readonly allowed_targets: string | null;
}): KeyRights {
  return {
    scopes:
      columns.scopes === null
        ? unrestrictedScopes(columns.operator === 1 || columns.operator === true)
        : (JSON.parse(columns.scopes) as Scope[]),
    grantableRoles: columns.grantable_roles === null ? [ANY_ROLE] : (JSON.parse(columns.grantable_roles) as string[]),
    allowedTargets: columns.allowed_targets === null ? null : (JSON.parse(columns.allowed_targets) as string[]),
  };
}

/** Whether the rights include `scope`. */
export const hasScope = (rights: KeyRights, scope: Scope): boolean => rights.scopes.includes(scope);

/** Refuses with `scope_missing` (the scope in the detail and in the `scope` member) unless the rights include it. */
export function assertScope(rights: KeyRights, scope: Scope, field?: string): void {
  if (!hasScope(rights, scope)) throw rightsError('scope_missing', `this needs the ${scope} scope`, field, { scope });
}

/** Whether a role may be granted under a ceiling (a key's grantable roles, or an invitation's snapshot of them). */
export const canGrantRole = (grantableRoles: readonly string[], role: string | null | undefined): boolean =>
  role === null || role === undefined || grantableRoles.includes(ANY_ROLE) || grantableRoles.includes(role);

/** Refuses a role beyond the ceiling with `role_not_grantable`. */
export function assertRoleGrantable(
  grantableRoles: readonly string[],
  role: string | null | undefined,
  field = 'body.role',
): void {
  if (!canGrantRole(grantableRoles, role)) {
    throw rightsError(
      'role_not_grantable',
      `the role "${role}" is not among ${JSON.stringify(grantableRoles)}`,
      field,
      { role },
    );
  }
}

/** Whether a target IRI (null: the tenant itself) is within the allowed prefixes (null: anything). */
export const isTargetAllowed = (allowedTargets: readonly string[] | null, iri: string | null): boolean =>
  allowedTargets === null || (iri !== null && allowedTargets.some((prefix) => iri.startsWith(prefix)));

/** Refuses a target outside the allowed prefixes with `target_not_allowed`. */
export function assertTargetAllowed(
  allowedTargets: readonly string[] | null,
  iri: string | null,
  field = 'body.target.iri',
): void {
  if (!isTargetAllowed(allowedTargets, iri)) {
    const what = iri === null ? 'the tenant itself' : `"${iri}"`;
    throw rightsError(
      'target_not_allowed',
      `${what} is outside the allowed targets ${JSON.stringify(allowedTargets)}`,
      field,
      { target: iri },
    );
  }
}

/**
 * Refuses a new key with more than its maker has (scopes ⊆, roles ⊆ unless the maker has "*",
 * each target prefix within one of the maker's). Fields name the create body's members.
 */
export function assertWithinRights(maker: KeyRights, wanted: KeyRights): void {
  for (const scope of wanted.scopes) assertScope(maker, scope, 'body.scopes');
  for (const role of wanted.grantableRoles) {
    if (role === ANY_ROLE && !maker.grantableRoles.includes(ANY_ROLE)) {
      throw rightsError(
        'role_not_grantable',
        'only a key that may grant any role can make one that may',
        'body.grantableRoles',
        { role },
      );
    }
    assertRoleGrantable(maker.grantableRoles, role, 'body.grantableRoles');
  }
  if (maker.allowedTargets === null) return;
  if (wanted.allowedTargets === null) {
    throw rightsError(
      'target_not_allowed',
      'this key is limited to some targets; name allowedTargets within them',
      'body.allowedTargets',
      { target: null },
    );
  }
  for (const prefix of wanted.allowedTargets) assertTargetAllowed(maker.allowedTargets, prefix, 'body.allowedTargets');
}
