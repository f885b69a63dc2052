/**
 * Provider limits as data: what one account may send, per rolling window, and how far apart.
 * Defaults follow what the providers publish; an account's overrides replace single fields.
 */

export const PROVIDERS = ['linkedin'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PLANS = ['free', 'paid'] as const;
export type Plan = (typeof PLANS)[number];

/** One account's limits. null means no limit. Windows are rolling: a day is 24 h, a week 7 days, a month 30 days. */
export interface ProviderLimits {
  readonly invitationsPerDay: number | null;
  readonly invitationsPerWeek: number | null;
  /** Invitations that carry a note, per 30 days; 0 means notes cannot be sent at all. */
  readonly notesPerMonth: number | null;
  /** The longest note the provider takes, in characters. */
  readonly noteMaxLength: number;
  /** The least time between two invitations of the account. */
  readonly minSpacingSeconds: number;
  /** A random extra wait, up to this, on top of the spacing, so the sends do not look scripted. */
  readonly jitterSeconds: number;
}

export type LimitOverrides = Partial<ProviderLimits>;

/**
 * LinkedIn, as Unipile documents it: about 80–100 invitations a day and 200 a week for paid
 * accounts (notes up to 300 characters, unlimited); about 150 a week for free ones, with at most
 * 5 notes a month of at most 200 characters. Unipile asks for 2–5 minutes between calls.
 * https://developer.unipile.com/docs/invite-users, …/docs/provider-limits-and-restrictions
 */
const DEFAULTS: Readonly<Record<Provider, Readonly<Record<Plan, ProviderLimits>>>> = {
  linkedin: {
    paid: {
      invitationsPerDay: 80,
      invitationsPerWeek: 200,
      notesPerMonth: null,
      noteMaxLength: 300,
      minSpacingSeconds: 120,
      jitterSeconds: 180,
    },
    free: {
      invitationsPerDay: 30,
      invitationsPerWeek: 150,
      notesPerMonth: 5,
      noteMaxLength: 200,
      minSpacingSeconds: 120,
      jitterSeconds: 180,
    },
  },
};

/** The defaults for a provider and plan. */
export function defaultLimits(provider: Provider, plan: Plan): ProviderLimits {
  return DEFAULTS[provider][plan];
}

/** The limits in force: the plan's defaults with the account's overrides on top. */
export function effectiveLimits(provider: Provider, plan: Plan, overrides: LimitOverrides): ProviderLimits {
  const set = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...defaultLimits(provider, plan), ...set };
}
