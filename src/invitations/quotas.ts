import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { fixedWindow, type FixedWindow } from '#common/fixed-window';
import { isoTime } from '#common/json';
import type { InviteQuota, InviteQuotas } from '#tenants';
import { invitationError } from './errors';

const PERIOD_MS = { hour: 3600_000, day: 86_400_000 } as const;
type Period = keyof typeof PERIOD_MS;
type Subject = 'key' | 'inviter';

/** Who a new invitation counts against: the creating key and the host application's user, when there are. */
export interface QuotaSubjects {
  readonly tenantId: string;
  readonly keyId: string | null;
  /** The key's own quota; null: the tenant's `perKey`. */
  readonly keyQuota: InviteQuota | null;
  /** `invitedBy.id` of the request. */
  readonly inviterId: string | null;
  readonly quotas: InviteQuotas;
}

/** The quota a refusal names, in its problem (`quota`) and in a bulk item's. */
export interface NamedQuota {
  readonly subject: Subject;
  /** The API key's id or the `invitedBy.id`. */
  readonly id: string;
  readonly period: Period;
  readonly limit: number;
}

interface Counter extends NamedQuota {
  readonly window: FixedWindow;
}

function countersFor(subjects: QuotaSubjects, now: Date): Counter[] {
  const counters: Counter[] = [];
  const add = (subject: Subject, id: string, quota: InviteQuota) => {
    for (const [period, limit] of [
      ['hour', quota.perHour],
      ['day', quota.perDay],
    ] as const) {
      if (limit !== null) counters.push({ subject, id, period, limit, window: fixedWindow(now, PERIOD_MS[period]) });
    }
  };
  const { keyId, inviterId, quotas } = subjects;
  if (keyId) add('key', keyId, subjects.keyQuota ?? quotas.perKey);
  if (inviterId) add('inviter', inviterId, quotas.inviters[inviterId] ?? quotas.perInviter);
  return counters;
}

/**
 * Counts one invitation against every quota that applies to it, in the creating transaction, with one
 * upsert (none when no quota applies), so all processes on one database share the count, a refused
 * create (this one or a later check's) takes its count back with the rollback, and an idempotent replay,
 * which never reaches here, counts nothing. Over any quota: 429 `invite_quota_exceeded` naming the one
 * that frees last, with `retryAfterSeconds` until its window ends.
 */
export async function countAgainstQuotas(trx: Kysely<Database>, subjects: QuotaSubjects, now: Date): Promise<void> {
  const counters = countersFor(subjects, now);
  if (counters.length === 0) return;
  const rows = await trx
    .insertInto('invite_quota_windows')
    .values(
      counters.map((c) => ({
        tenant_id: subjects.tenantId,
        subject: c.subject,
        subject_id: c.id,
        period: c.period,
        window_start: c.window.start,
        count: 1,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'subject', 'subject_id', 'period', 'window_start'])
        .doUpdateSet((eb) => ({ count: eb('invite_quota_windows.count', '+', 1) })),
    )
    .returning(['subject', 'period', 'count'])
    .execute();
  const countOf = (c: Counter) => rows.find((r) => r.subject === c.subject && r.period === c.period)?.count ?? 0;
  const over = counters.filter((c) => countOf(c) > c.limit);
  if (over.length === 0) return;
  // A day's quota spent outlasts an hour's: waiting for the hour alone would be refused again.
  const worst = over.reduce((a, b) => (b.window.secondsLeft > a.window.secondsLeft ? b : a));
  const who = worst.subject === 'key' ? `API key ${worst.id}` : `inviter ${JSON.stringify(worst.id)}`;
  throw invitationError(
    'invite_quota_exceeded',
    `${who} may create ${worst.limit} invitations per ${worst.period}; the next fits in ${worst.window.secondsLeft} s`,
    worst.subject === 'key' ? 'header.authorization' : 'body.invitedBy.id',
    {
      quota: { subject: worst.subject, id: worst.id, period: worst.period, limit: worst.limit },
      retryAfterSeconds: worst.window.secondsLeft,
    },
  );
}

/** Drops windows that ended more than a day ago. */
export async function pruneQuotaWindows(db: Kysely<Database>, now: Date): Promise<void> {
  await db
    .deleteFrom('invite_quota_windows')
    .where('window_start', '<', isoTime(new Date(now.getTime() - 2 * PERIOD_MS.day)))
    .execute();
}
