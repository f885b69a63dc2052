import type { Kysely } from 'kysely';
import type { Database, MailboxRow } from '#db';
import type { Clock } from '#common/clock';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import type { Page } from '#http/pagination';
import type { Cursor } from '#http/pagination';
import { keysetPage, toPage } from '#db/keyset';
import type { Mailer, MailMessage, MailResult } from './mailer';

/**
 * The embedded default when no SMTP server is configured: messages are kept in the database so
 * `npm start` alone lets a new user read and click the invitation email (API and console show
 * them). It delivers nothing to anyone's inbox.
 */
export function createMailboxMailer(db: Kysely<Database>, clock: Clock): Mailer {
  return {
    async send(message: MailMessage, context): Promise<MailResult> {
      const now = clock.now();
      await db
        .insertInto('mailbox')
        .values({
          id: newId(now.getTime()),
          tenant_id: context.tenantId,
          outbox_id: context.outboxId,
          message_id: message.messageId,
          from_address: message.from,
          to_address: message.to,
          subject: message.subject,
          text_body: message.text,
          html_body: message.html,
          created_at: isoTime(now),
        })
        .execute();
      return { accepted: true, permanent: false, responseCode: 250, response: '250 kept in the local mailbox' };
    },
    async close() {},
  };
}

/** A message in the local mailbox. */
export interface MailboxMessage {
  readonly id: string;
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly createdAt: string;
}

function toMessage(row: MailboxRow): MailboxMessage {
  return {
    id: row.id,
    messageId: row.message_id,
    from: row.from_address,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    createdAt: row.created_at,
  };
}

/** The tenant's local mailbox, newest first. */
export async function listMailbox(
  db: Kysely<Database>,
  tenantId: string,
  cursor: Cursor | null,
  limit: number,
): Promise<Page<MailboxMessage>> {
  const rows = await keysetPage(
    db.selectFrom('mailbox').selectAll().where('tenant_id', '=', tenantId),
    'created_at',
    'desc',
    cursor,
    limit,
  ).execute();
  return toPage(rows, limit, 'created_at', toMessage);
}

/** One message of the tenant's local mailbox, or null. */
export async function findMailboxMessage(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<MailboxMessage | null> {
  const row = await db
    .selectFrom('mailbox')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toMessage(row) : null;
}
