/**
 * The provider channel's part in creating an invitation, in the creating transaction: through a
 * provider account, the invitation takes the account's next slot (from its limits and the slots
 * it already holds, with jitter) and waits in the outbox until then; to an identity of this
 * server (provider `usher`), the invitee's incoming invitation is recorded at once.
 */
import type { Db, Engine, InvitationRow } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import type { OutboxPort } from '#delivery';
import { findPendingProviderDuplicate, type ChannelAdapter, type CreateInvitationInput } from '#invitations';
import { getAccountRow, toAccount } from './accounts';
import { noteTooLong, providerError } from './errors';
import { deliverLocally, LOCAL_PROVIDER } from './local';
import { nextSlot, WINDOWS } from './pacing';
import { heldSlots, insertSend } from './sends';

/** Where the channel writes its deliveries: delivery's outbox, woken once something is due. */
export type ProviderOutbox = OutboxPort;

/** What a provider invitation sent through an account stores in its payload. */
export interface AccountPayload {
  readonly provider: string;
  readonly accountId: string;
  readonly sendId: string;
  /** The slot it waits for: its outbox row's first next_attempt_at. */
  readonly scheduledAt: string;
}

/** What the channel needs. */
export interface ProviderChannelDeps {
  readonly engine: Engine;
  readonly outbox: ProviderOutbox;
  readonly random?: () => number;
}

/** The outbox topic of sends through provider accounts. */
export const PROVIDER_TOPIC = 'provider.invite' as const;

/** A note's length as people count it: characters, not UTF-16 units. */
const lengthOf = (text: string) => [...text].length;

/** "One pending invitation per recipient": the provider would refuse the second anyway. */
async function refuseDuplicate(trx: Db, row: InvitationRow): Promise<void> {
  const pending = await findPendingProviderDuplicate(trx, row);
  if (pending)
    throw providerError(
      'provider_already_invited',
      `invitation ${pending.id} to this person is still pending`,
      'body.recipient.provider.userId',
      { existingInvitationId: pending.id },
    );
}

/** The provider ChannelAdapter. Its invitations have no public URL: the provider delivers them. */
export function createProviderAdapter(deps: ProviderChannelDeps): ChannelAdapter {
  async function throughAccount(
    trx: Db,
    row: InvitationRow,
    target: { provider: string; accountId?: string | undefined },
  ): Promise<AccountPayload> {
    if (!target.accountId)
      throw providerError('provider_account_required', undefined, 'body.recipient.provider.accountId');
    const stored = await getAccountRow(
      trx,
      row.tenant_id,
      target.accountId,
      'body.recipient.provider.accountId',
      deps.engine,
    );
    const account = toAccount(stored);
    if (account.provider !== target.provider)
      throw providerError(
        'provider_mismatch',
        `account ${account.id} is on ${account.provider}`,
        'body.recipient.provider.provider',
      );
    const note = row.message?.trim() ? row.message : null;
    if (note && lengthOf(note) > account.limits.noteMaxLength)
      throw noteTooLong(lengthOf(note), account.limits.noteMaxLength, 'body.message');
    const now = new Date(row.created_at);
    const held = await heldSlots(trx, account.id, new Date(now.getTime() - WINDOWS.month));
    const slot = nextSlot(account.limits, held, { now, withNote: note !== null }, deps.random);
    if (!slot)
      throw providerError(
        'notes_not_allowed',
        'send it without a message, or raise limits.notesPerMonth',
        'body.message',
      );
    const sendId = newId(now.getTime());
    await insertSend(trx, {
      id: sendId,
      tenant_id: row.tenant_id,
      account_id: account.id,
      invitation_id: row.id,
      with_note: note ? 1 : 0,
      scheduled_at: isoTime(slot),
      status: 'scheduled',
      remote_invitation_id: null,
      sent_at: null,
      created_at: isoTime(now),
      updated_at: isoTime(now),
    });
    // Over quota the invitation does not fail: its row simply is not due before its slot.
    await deps.outbox.enqueue(
      trx,
      [{ tenantId: row.tenant_id, topic: PROVIDER_TOPIC, invitationId: row.id, payload: { sendId }, notBefore: slot }],
      now,
    );
    return { provider: account.provider, accountId: account.id, sendId, scheduledAt: isoTime(slot) };
  }

  return {
    async prepare(trx, row, identity, input: CreateInvitationInput, context) {
      const target = input.recipient?.provider;
      if (!target)
        throw providerError(
          'provider_recipient_required',
          'give recipient.provider: { provider, userId, accountId }',
          'body.recipient.provider',
        );
      if (row.recipient_provider) await refuseDuplicate(trx, row);
      const payload =
        target.provider === LOCAL_PROVIDER
          ? await deliverLocally(trx, row, identity, target.userId, context)
          : await throughAccount(trx, row, target);
      return JSON.stringify(payload);
    },
    url: () => null,
  };
}
