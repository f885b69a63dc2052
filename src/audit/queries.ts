import type { Db } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import type { Cursor, Page } from '#http/pagination';
import { toAuditEvent, type AuditEvent } from './record';

/** Which entries to list: all by default; `since` inclusive, `until` exclusive, ISO instants. */
export interface AuditFilter {
  readonly action?: string;
  readonly actorKeyId?: string;
  readonly since?: string;
  readonly until?: string;
}

/** A page of the tenant's trail, newest first. Only ever the tenant's own entries. */
export async function listAuditEvents(
  db: Db,
  tenantId: string,
  filter: AuditFilter & { readonly cursor: Cursor | null; readonly limit: number },
): Promise<Page<AuditEvent>> {
  let query = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.actorKeyId) query = query.where('actor_key_id', '=', filter.actorKeyId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.until) query = query.where('created_at', '<', filter.until);
  const rows = await keysetPage(query, 'created_at', 'desc', filter.cursor, filter.limit).execute();
  return toPage(rows, filter.limit, 'created_at', toAuditEvent);
}

/** Every matching entry, newest first, a page at a time: what the export streams without holding the trail. */
export async function* allAuditEvents(db: Db, tenantId: string, filter: AuditFilter): AsyncGenerator<AuditEvent> {
  let cursor: Cursor | null = null;
  for (;;) {
    const page = await listAuditEvents(db, tenantId, { ...filter, cursor, limit: 500 });
    yield* page.data;
    if (page.data.length === 0 || page.nextCursor === null) return;
    const last = page.data[page.data.length - 1]!;
    cursor = { value: last.createdAt, id: last.id };
  }
}
