import type { Kysely } from 'kysely';
import { preparedQuery, type Database, type Db, type InvitationRow, type ShortMemory } from '#db';
import type { Clock } from '#common/clock';
import { newId } from '#common/ids';
import { isPageUrl } from '#common/page-url';
import { isoTime } from '#common/json';
import { findInvitingKey, getContact, recallInviter, normalizeEmail } from '#tenants';
import { commitTransition } from './commit-transition';
import { invitationError, refuseUniqueViolation } from './errors';
import { writeEvents, type Actor, type EventSink } from './events';
import type { ChannelRegistry } from './channel-registry';
import type { IncomingInvitationInput } from './incoming';
import { targetKey, toInvitation, type Invitation } from './record';
import type { CreateInvitationInput } from './schemas';
import { insertNumberedInvitation } from './numbered-insert';
import { mintFirstLink, type LinkKey } from './links';
import { invitationUrl } from './tokens';
import { checkWindow, windowEnd } from './window';
import { roleCeilingAtCreate } from './role-ceiling';
import { checkAllowedDomains } from './allowed-domains';
import { countAgainstQuotas } from './quotas';

/** An invitation with its link: create, resend and reset-link return one. */
export interface InvitationWithUrl extends Invitation {
  readonly url: string | null;
}

/**
 * "Already invited": a recipient has at most one pending invitation per target. Pending ones
 * whose time ran out are stored as expired first, so they do not block a fresh invitation.
 */
const pendingFor = preparedQuery((db, p: { tenantId: string; email: string; key: string }) =>
  db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('recipient_email_normalized', '=', p.email)
    .where('target_key', '=', p.key)
    .where('status', '=', 'pending'),
);

async function expireOrRefuseDuplicates(
  trx: Kysely<Database>,
  tenantId: string,
  email: string,
  key: string,
  now: Date,
  sink: EventSink,
): Promise<void> {
  const pending = await pendingFor.execute(trx, { tenantId, email, key });
  for (const row of pending) {
    if (now.getTime() < Date.parse(row.expires_at)) {
      throw invitationError(
        'invitation_already_pending',
        `invitation ${row.id} to ${email} is still pending; resend or revoke it`,
        'body.recipient.email',
        {
          existingInvitationId: row.id,
        },
      );
    }
    await commitTransition(trx, row, 'expire', { now, actor: { kind: 'system' }, sink });
  }
}

/** Creates an invitation inside `trx` (which the idempotency layer may own) and mints its link. */
export async function createInvitation(
  trx: Kysely<Database>,
  context: {
    clock: Clock;
    publicUrl: string;
    sink: EventSink;
    channels: ChannelRegistry;
    linkKey: LinkKey;
    allowHttpPages?: boolean;
    /** Where the inviter read is remembered for a moment. */
    memory: ShortMemory;
    recordIncoming: (
      trx: Db,
      input: IncomingInvitationInput,
      actor: Actor,
      accepted: boolean,
    ) => Promise<InvitationRow>;
  },
  tenantId: string,
  input: CreateInvitationInput,
  actor: Actor,
): Promise<InvitationWithUrl> {
  const now = context.clock.now();
  const channel = context.channels.get(input.channel);
  // The schema admits only registered names; a caller that skipped it still gets a problem, not a crash.
  if (!channel || (!channel.mintsLink && !channel.adapter)) {
    throw invitationError(
      'channel_not_supported',
      `the ${input.channel} channel is not available on this server`,
      'body.channel',
    );
  }
  for (const other of context.channels.names) {
    if (other !== input.channel && input[other] !== undefined && context.channels.get(other)?.options) {
      throw invitationError('channel_options_mismatch', `${other} options need channel "${other}"`, `body.${other}`);
    }
  }
  // Approval is enforced on the token path (accept page, public API); protocol inboxes accept without a person to ask.
  if (input.requireApproval && input.channel !== 'link' && input.channel !== 'email')
    throw invitationError('approval_not_supported', undefined, 'body.requireApproval');
  if (input.recipient?.provider && input.channel !== 'provider')
    throw invitationError(
      'channel_options_mismatch',
      'recipient.provider needs channel "provider"',
      'body.recipient.provider',
    );
  const { identity, tenant } = await recallInviter(context.memory, trx, tenantId, input.identityId, 'body.identityId');
  if (identity.status !== 'active') throw invitationError('identity_disabled', undefined, 'body.identityId');
  const contact = input.recipient?.contactId
    ? await getContact(trx, tenantId, input.recipient.contactId, 'body.recipient.contactId')
    : null;
  const email = input.recipient?.email ?? contact?.email ?? null;
  channel.check?.(input, { email, actorIri: input.recipient?.actorIri ?? contact?.actorIri ?? null });
  checkAllowedDomains(input, channel.mintsLink === true, email);
  if (input.redirectUrl && !isPageUrl(input.redirectUrl, { allowHttp: context.allowHttpPages ?? false })) {
    throw invitationError('redirect_url_not_https', 'redirectUrl must be an https URL', 'body.redirectUrl');
  }
  const startsAt = input.startsAt ? new Date(input.startsAt) : null;
  const expiresAt = windowEnd(startsAt, input.expiresAt, tenant.settings.defaultExpirySeconds, now);
  checkWindow(startsAt, expiresAt, now);
  // What the sink will read for the event (webhook endpoints) rides with the statements below; the settings it
  // needs for an email's reminder are these.
  context.sink.ahead?.(trx, tenantId, tenant.settings);
  const target = input.target.type === 'tenant' ? { type: 'tenant' as const, iri: null, name: null } : input.target;
  const key = targetKey(target);
  const keyId = actor.kind === 'api_key' ? actor.id : null;
  // Authenticated this request with its rights and quota, or (the console, the CLI) read here.
  const apiKey = actor.kind === 'api_key' ? (actor.key ?? (await findInvitingKey(trx, tenantId, actor.id))) : null;
  const grantableRoles = roleCeilingAtCreate(apiKey?.rights ?? null, {
    role: input.role ?? null,
    targetIri: target.iri,
  });
  const emailNormalized = normalizeEmail(email);
  const id = newId(now.getTime());
  const unnumbered: Omit<InvitationRow, 'number'> = {
    id,
    tenant_id: tenantId,
    identity_id: identity.id,
    channel: input.channel,
    direction: 'outgoing',
    status: 'pending',
    recipient_email: email,
    recipient_email_normalized: emailNormalized,
    recipient_contact_id: contact?.id ?? null,
    recipient_did: input.recipient?.did ?? contact?.did ?? null,
    recipient_actor: input.recipient?.actorIri ?? contact?.actorIri ?? null,
    recipient_provider: input.recipient?.provider
      ? JSON.stringify({ provider: input.recipient.provider.provider, userId: input.recipient.provider.userId })
      : null,
    recipient_name: input.recipient?.name ?? contact?.name ?? null,
    target_type: target.type,
    target_key: key,
    target_iri: target.iri,
    target_name: target.name,
    role: input.role ?? null,
    rules: JSON.stringify(input.rules),
    message: input.message ?? null,
    label: input.label ?? null,
    description: input.description ?? null,
    purpose: input.purpose ?? null,
    public: input.public ? 1 : 0,
    uses_allowed: input.usesAllowed,
    uses_count: 0,
    starts_at: startsAt ? isoTime(startsAt) : null,
    expires_at: isoTime(expiresAt),
    payload: null,
    metadata: JSON.stringify(input.metadata),
    locale: input.locale ?? null,
    // Without a named sender the identity's display name stands in, never the API key's name: key
    // names are the operator's labels ("ci", "Bootstrap"), not meant for invitees' eyes.
    invited_by_id: input.invitedBy?.id ?? null,
    invited_by_name: input.invitedBy?.name ?? identity.displayName,
    invited_by_email: input.invitedBy?.email ?? null,
    invited_by_source: input.invitedBy ? 'request' : 'identity',
    redirect_url: input.redirectUrl ?? null,
    grantable_roles: grantableRoles,
    allowed_domains: input.allowedDomains ? JSON.stringify(input.allowedDomains) : null,
    require_approval: input.requireApproval ? 1 : 0,
    version: 0,
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  let row: InvitationRow;
  try {
    // An address already invited is refused in the insert (or its lapsed invitations expired first).
    const clearPending = (address: string) => expireOrRefuseDuplicates(trx, tenantId, address, key, now, context.sink);
    row = { ...unnumbered, number: await insertNumberedInvitation(trx, unnumbered, clearPending) };
  } catch (error) {
    refuseUniqueViolation(error);
  }
  // Last of the checks, once the invitation is known to be no duplicate: a duplicate or an invalid request is
  // refused for what it is, without using the quota (a refusal here rolls the insert back with the count).
  const quotaSubjects = {
    tenantId,
    keyId: apiKey ? keyId : null,
    keyQuota: apiKey?.inviteQuota ?? null,
    inviterId: input.invitedBy?.id ?? null,
    quotas: tenant.settings.inviteQuotas,
  };
  await countAgainstQuotas(trx, quotaSubjects, now);
  const { adapter } = channel;
  if (adapter) {
    // A protocol invitation carries its own public URL: there is no secret link to mint.
    const prepared = await adapter.prepare(trx, row, identity, input, {
      options: input[channel.name],
      recordIncoming: context.recordIncoming,
    });
    const stored = { ...row, payload: prepared };
    await trx.updateTable('invitations').set({ payload: stored.payload }).where('id', '=', row.id).execute();
    await writeEvents(
      trx,
      stored,
      { previousStatus: null, status: 'pending', events: ['invitation.created'] },
      actor,
      { channel: row.channel },
      now,
      context.sink,
    );
    return { ...toInvitation(stored, now), url: adapter.url(stored) };
  }
  const token = await mintFirstLink(trx, context.linkKey, row, 'api', now);
  await writeEvents(
    trx,
    row,
    { previousStatus: null, status: 'pending', events: ['invitation.created'] },
    actor,
    { channel: row.channel },
    now,
    context.sink,
  );
  return { ...toInvitation(row, now), url: invitationUrl(context.publicUrl, token) };
}
