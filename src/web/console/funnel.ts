import type { Db } from '#db';
import { countInvitationsReaching } from '#invitations';

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
  const rows = await countInvitationsReaching(db, tenantId, from, Object.keys(STAGES));
  const byChannel = new Map<string, { -readonly [K in keyof FunnelRow]: FunnelRow[K] }>();
  for (const row of rows) {
    const entry = byChannel.get(row.channel) ?? {
      channel: row.channel,
      created: 0,
      delivered: 0,
      accepted: 0,
      declined: 0,
      expired: 0,
    };
    entry[STAGES[row.type]!] = row.count;
    byChannel.set(row.channel, entry);
  }
  return [...byChannel.values()]
    .map((r) => (r.channel === 'email' ? r : { ...r, delivered: r.created }))
    .sort((a, b) => a.channel.localeCompare(b.channel));
}
