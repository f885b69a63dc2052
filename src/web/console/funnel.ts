import { sql } from 'kysely';
import type { Db } from '#db';
import { isoTime } from '#common/json';

/** Per channel, how many invitations created in the period reached each stage. */
export interface FunnelRow {
  readonly channel: string;
  readonly created: number;
  readonly delivered: number;
  readonly accepted: number;
  readonly declined: number;
  readonly expired: number;
}

const STAGES: Record<string, keyof Omit<FunnelRow, 'channel'>> = {
  'invitation.created': 'created',
  'invitation.sent': 'delivered',
  'invitation.accepted': 'accepted',
  'invitation.declined': 'declined',
  'invitation.expired': 'expired',
};

/**
 * Counts distinct invitations per stage among those created since `from`, from the event log.
 * A link has nothing to deliver: it counts as delivered once created.
 */
export async function funnel(db: Db, tenantId: string, from: Date): Promise<FunnelRow[]> {
  const rows = await db
    .selectFrom('invitation_events as e')
    .innerJoin('invitations as i', 'i.id', 'e.invitation_id')
    .select(['i.channel as channel', 'e.type as type', sql<string>`count(distinct e.invitation_id)`.as('n')])
    .where('i.tenant_id', '=', tenantId)
    .where('i.created_at', '>=', isoTime(from))
    .where('e.type', 'in', Object.keys(STAGES))
    .groupBy(['i.channel', 'e.type'])
    .execute();
  const byChannel = new Map<string, { -readonly [K in keyof FunnelRow]: FunnelRow[K] }>();
  for (const row of rows) {
    const entry = byChannel.get(row.channel) ?? { channel: row.channel, created: 0, delivered: 0, accepted: 0, declined: 0, expired: 0 };
    entry[STAGES[row.type]!] = Number(row.n);
    byChannel.set(row.channel, entry);
  }
  return [...byChannel.values()].map((r) => (r.channel === 'email' ? r : { ...r, delivered: r.created })).sort((a, b) => a.channel.localeCompare(b.channel));
}
