import type { Kysely } from 'kysely';
import type { Database, Db, InvitationRow, OutboxRow } from '#db';
import type { Clock } from '#common/clock';
import { errorMessage } from '#common/errors';
import { parseJson } from '#common/json';
import {
  effectiveStatus,
  findInvitationRow,
  findInvitationRows,
  invitationUrl,
  linkForMessage,
  linkKeyOf,
  recordDeliveryEvent,
  type EventSink,
} from '#invitations';
import { getIdentity, getTenant, type Identity, type TemplateKind, type Tenant } from '#tenants';
import type { DeliveryResult } from '../outbox';
import type { DeliveryHandler, FinalStatus, PreparedDelivery } from '../worker';
import { invitationMessage } from './invitation-message';
import type { Mailer, MailResult } from './mailer';

export interface EmailHandlerDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly mailer: Mailer;
  /** The From header, e.g. "Acme via Usher <no-reply@example.com>"; the tenant's name is put in front. */
  readonly fromAddress: string;
  readonly sink: EventSink;
  /** The server secret the invitation's link is derived from. */
  readonly linkSecret: string;
}

/** The payload of an email outbox row: which message, and for reminders the expiry it was planned for. */
export interface EmailPayload {
  readonly kind: TemplateKind;
  readonly expiresAt?: string;
}

const kindOf = (row: OutboxRow) => parseJson<EmailPayload>(row.payload, { kind: 'invitation' }).kind;

/** The invitations of a batch of rows, one query per tenant (each query stays inside its tenant). */
async function readInvitations(db: Db, rows: readonly OutboxRow[]): Promise<Map<string, InvitationRow>> {
  const byTenant = new Map<string, Set<string>>();
  for (const row of rows)
    if (row.invitation_id)
      byTenant.set(row.tenant_id, (byTenant.get(row.tenant_id) ?? new Set()).add(row.invitation_id));
  const found = new Map<string, InvitationRow>();
  for (const [tenantId, ids] of byTenant) {
    const invitations = await findInvitationRows(db, tenantId, [...ids]);
    for (const invitation of invitations) found.set(invitation.id, invitation);
  }
  return found;
}

/** Why a row sends nothing, or null when its email should go out now. */
function skipReason(row: OutboxRow, invitation: InvitationRow | undefined, now: Date): DeliveryResult | null {
  if (!invitation) return { outcome: 'skipped', error: 'the invitation no longer exists' };
  const status = effectiveStatus(
    {
      status: invitation.status as never,
      usesAllowed: invitation.uses_allowed,
      usesCount: invitation.uses_count,
      startsAt: invitation.starts_at,
      expiresAt: invitation.expires_at,
    },
    now,
  );
  if (status !== 'pending') return { outcome: 'skipped', response: `the invitation is ${status}` };
  const payload = parseJson<EmailPayload>(row.payload, { kind: 'invitation' });
  if (payload.kind === 'reminder' && payload.expiresAt !== invitation.expires_at)
    return { outcome: 'skipped', response: 'the expiry changed since this reminder was planned' };
  return null;
}

/** A mailer's answer as a delivery result: a 5xx rejection is permanent. */
export function toResult(result: MailResult): DeliveryResult {
  return result.accepted
    ? { outcome: 'sent', responseCode: result.responseCode, response: result.response }
    : {
        outcome: 'failed',
        permanent: result.permanent,
        responseCode: result.responseCode,
        response: result.response,
        error: result.response,
      };
}

/** Memoizes by key for the length of one batch: a batch's rows mostly share a tenant and an inviter. */
function once<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let value = seen.get(key);
    if (!value) seen.set(key, (value = load(key)));
    return value;
  };
}

/**
 * Sends invitation and reminder emails. Each carries the invitation's one live link, recomputed from
 * the server secret at send time, so no plain token waits in the outbox and the mail, its reminders and
 * the operator's view show the same URL. Nothing is sent for an invitation that is no longer pending,
 * or for a reminder planned for an expiry that has since changed.
 */
export function createEmailHandler(deps: EmailHandlerDeps): DeliveryHandler {
  const { db, clock } = deps;
  const host = new URL(deps.publicUrl).hostname;
  const linkKey = linkKeyOf(deps.linkSecret);

  // The timeline entry for a final outcome, about the invitation as this email described it.
  async function recordOutcome(
    trx: Db,
    row: OutboxRow,
    invitation: InvitationRow,
    status: FinalStatus,
    result: DeliveryResult,
    now: Date,
  ): Promise<void> {
    if (status === 'skipped') return;
    const data = {
      channel: 'email',
      kind: kindOf(row),
      deliveryId: row.id,
      ...(status === 'failed' ? { reason: result.error ?? result.response ?? 'failed' } : {}),
    };
    await recordDeliveryEvent(
      trx,
      invitation,
      status === 'sent' ? 'invitation.sent' : 'invitation.delivery_failed',
      data,
      now,
      deps.sink,
    );
  }

  async function prepare(rows: readonly OutboxRow[]): Promise<Map<string, PreparedDelivery | DeliveryResult>> {
    const now = clock.now();
    const invitations = await readInvitations(db, rows);
    const tenantOf = once((id) => getTenant(db, id));
    const inviterOf = once((key) => getIdentity(db, key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)));
    const prepared = new Map<string, PreparedDelivery | DeliveryResult>();
    const sendable: {
      row: OutboxRow;
      invitation: InvitationRow & { recipient_email: string };
      tenant: Tenant;
      inviter: Identity;
    }[] = [];
    for (const row of rows) {
      const invitation = row.invitation_id ? invitations.get(row.invitation_id) : undefined;
      const skip = skipReason(row, invitation, now);
      if (skip || !invitation) {
        prepared.set(row.id, skip!);
        continue;
      }
      const settled = (trx: Db, status: FinalStatus, result: DeliveryResult, at: Date) =>
        recordOutcome(trx, row, invitation, status, result, at);
      const fail = (result: DeliveryResult) => prepared.set(row.id, { send: async () => result, settled });
      if (!invitation.recipient_email) {
        fail({ outcome: 'failed', permanent: true, error: 'the invitation has no recipient email' });
        continue;
      }
      try {
        const [tenant, inviter] = await Promise.all([
          tenantOf(row.tenant_id),
          inviterOf(`${row.tenant_id} ${invitation.identity_id}`),
        ]);
        sendable.push({ row, invitation: invitation as InvitationRow & { recipient_email: string }, tenant, inviter });
      } catch (error) {
        fail({ outcome: 'failed', error: errorMessage(error) });
      }
    }
    if (sendable.length === 0) return prepared;
    // One transaction: an invitation from before derived links gets its first one here, once for the batch.
    const tokens = await db.transaction().execute(async (trx) => {
      const found: (string | null)[] = [];
      for (const { row, invitation } of sendable)
        found.push(
          await linkForMessage(trx, linkKey, invitation, kindOf(row) === 'reminder' ? 'reminder' : 'email', now),
        );
      return found;
    });
    sendable.forEach(({ row, invitation, tenant, inviter }, i) => {
      if (tokens[i] === null) {
        // Mailing a link other than the one handed out would be worse than mailing none: the operator resets it.
        const error = "the invitation's link was derived with another link secret; reset its link, then resend";
        prepared.set(row.id, {
          send: async () => ({ outcome: 'failed', permanent: true, error }),
          settled: (trx, status, result, at) => recordOutcome(trx, row, invitation, status, result, at),
        });
        return;
      }
      const message = invitationMessage({
        row,
        kind: kindOf(row),
        invitation,
        tenant,
        inviter,
        acceptUrl: invitationUrl(deps.publicUrl, tokens[i]!),
        host,
        fromAddress: deps.fromAddress,
      });
      prepared.set(row.id, {
        send: async () => toResult(await deps.mailer.send(message, { tenantId: row.tenant_id, outboxId: row.id })),
        settled: (trx, status, result, at) => recordOutcome(trx, row, invitation, status, result, at),
      });
    });
    return prepared;
  }

  return {
    prepare,
    async deliver(row: OutboxRow) {
      const ready = (await prepare([row])).get(row.id)!;
      return 'outcome' in ready ? ready : ready.send();
    },
    async settled(trx, row, status, result, now) {
      const invitation = row.invitation_id ? await findInvitationRow(trx, row.tenant_id, row.invitation_id) : null;
      if (invitation) await recordOutcome(trx, row, invitation, status, result, now);
    },
  };
}
