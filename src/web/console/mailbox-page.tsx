/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { findMailboxMessage, listMailbox } from '#delivery';
import { decodeCursor, type Cursor } from '#http/pagination';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { TableScroller } from './layout';
import type { ConsoleEnv } from './middleware';

const PAGE_SIZE = 25;
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
const WHY = "Messages are kept here because no SMTP server is configured: nothing on this page reached anyone's inbox.";

/**
 * One message of the tenant's mailbox, or null. The delivery capability has no single-message
 * reader yet (only listMailbox); see the report to the lead.
 */
/** The http(s) links of a plain-text body, so the invitation link can be followed from here. */
const linksIn = (text: string) => [...new Set(text.match(/https?:\/\/[^\s<>"']+/g) ?? [])];

/** The local mailbox: messages newest first, and one message with its text and its HTML in a sandboxed frame. */
export function createMailboxPage(deps: ConsoleDeps) {
  const { db } = deps;
  const page = pageRenderer(db, 'mailbox');

  return new Hono<ConsoleEnv>()
    .get('/console/mailbox', async (c) => {
      let cursor: Cursor | null = null;
      try {
        cursor = c.req.query('cursor') ? decodeCursor(c.req.query('cursor')!) : null;
      } catch {
        // A link Usher did not issue: show the first page.
      }
      const result = await listMailbox(db, c.var.session.tenantId, cursor, PAGE_SIZE);
      return page(
        c,
        'Mailbox',
        <>
          <p class="muted">{WHY}</p>
          {result.data.length === 0 ? (
            <p class="card muted">The mailbox is empty.</p>
          ) : (
            <TableScroller label="Mailbox">
              <table>
                <thead>
                  <tr>
                    <th>To</th>
                    <th>Subject</th>
                    <th>Kept at</th>
                  </tr>
                </thead>
                <tbody>
                  {result.data.map((m) => (
                    <tr>
                      <td>{m.to}</td>
                      <td>
                        <a href={`/console/mailbox/${m.id}`}>{m.subject}</a>
                      </td>
                      <td>{when(m.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroller>
          )}
          <p class="actions">
            {cursor ? (
              <a class="button secondary" href="/console/mailbox">
                Newest
              </a>
            ) : null}
            {result.nextCursor ? (
              <a
                class="button secondary"
                href={`/console/mailbox?${new URLSearchParams({ cursor: result.nextCursor })}`}
              >
                Next page
              </a>
            ) : null}
          </p>
        </>,
      );
    })
    .get('/console/mailbox/:id', async (c) => {
      const message = await findMailboxMessage(db, c.var.session.tenantId, c.req.param('id'));
      if (!message)
        return page(
          c,
          'Not found',
          <p class="alert" role="alert">
            No such message in this tenant's mailbox.
          </p>,
          404,
        );
      const links = linksIn(message.text);
      return page(
        c,
        message.subject,
        <>
          <p class="muted">{WHY}</p>
          <div class="card">
            <dl class="facts">
              <dt>From</dt>
              <dd>{message.from}</dd>
              <dt>To</dt>
              <dd>{message.to}</dd>
              <dt>Kept at</dt>
              <dd>{when(message.createdAt)}</dd>
              <dt>Message-ID</dt>
              <dd class="mono">{message.messageId}</dd>
              {links.length ? (
                <>
                  <dt>Links</dt>
                  <dd>
                    {links.map((href) => (
                      <div>
                        <a class="mono" href={href} target="_blank" rel="noopener noreferrer">
                          {href}
                        </a>
                      </div>
                    ))}
                  </dd>
                </>
              ) : null}
            </dl>
          </div>
          <h2>HTML</h2>
          {/* sandbox="" : no scripts, no forms, no same-origin access; the email can never act inside the console. */}
          <iframe
            sandbox=""
            srcdoc={message.html}
            title={`HTML version of "${message.subject}"`}
            style="width:100%;height:36rem;border:1px solid #e5e7eb;border-radius:.6rem;background:#fff"
          />
          <h2>Plain text</h2>
          <pre class="card mono" style="white-space:pre-wrap">
            {message.text}
          </pre>
          <p>
            <a href="/console/mailbox">Back to the mailbox</a>
          </p>
        </>,
      );
    });
}
