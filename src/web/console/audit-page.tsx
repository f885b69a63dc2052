/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { listAuditEvents, type AuditEvent } from '#audit';
import { decodeCursor, type Cursor } from '#http/pagination';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { TableScroller } from './layout';
import type { ConsoleEnv } from './middleware';

const PAGE_SIZE = 25;
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
const who = (event: AuditEvent) => `${event.actor.keyName ?? event.actor.keyId ?? 'Usher'} (${event.actor.surface})`;
const what = (event: AuditEvent) => Object.keys(event.changes).join(', ');

/** The tenant's audit trail, newest first, a page at a time; the whole of it is GET /v1/audit-events/export. */
export function createAuditPage(deps: ConsoleDeps) {
  const { db } = deps;
  const page = pageRenderer(db, 'audit');
  return new Hono<ConsoleEnv>().get('/console/audit', async (c) => {
    let cursor: Cursor | null = null;
    try {
      cursor = c.req.query('cursor') ? decodeCursor(c.req.query('cursor')!) : null;
    } catch {
      // A link Usher did not issue: show the first page.
    }
    const result = await listAuditEvents(db, c.var.session.tenantId, { cursor, limit: PAGE_SIZE });
    return page(
      c,
      'Audit',
      <>
        <p class="muted">Every change to keys, settings, webhooks, identities and invitations, and who made it.</p>
        {result.data.length === 0 ? (
          <p class="card muted">Nothing has been changed yet.</p>
        ) : (
          <TableScroller label="Audit trail">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Action</th>
                  <th>By</th>
                  <th>Subject</th>
                  <th>Fields</th>
                </tr>
              </thead>
              <tbody>
                {result.data.map((event) => (
                  <tr>
                    <td>{when(event.createdAt)}</td>
                    <td>{event.action}</td>
                    <td>{who(event)}</td>
                    <td>
                      {event.subjectType} <code>{event.subjectId ?? ''}</code>
                    </td>
                    <td>{what(event)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
        )}
        <p class="actions">
          {cursor ? (
            <a class="button secondary" href="/console/audit">
              Newest
            </a>
          ) : null}
          {result.nextCursor ? (
            <a class="button secondary" href={`/console/audit?${new URLSearchParams({ cursor: result.nextCursor })}`}>
              Next page
            </a>
          ) : null}
        </p>
      </>,
    );
  });
}
