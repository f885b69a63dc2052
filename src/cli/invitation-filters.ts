import { Option, type Command } from 'commander';
import type { operations } from '#sdk';
// The lifecycle module itself, not #invitations: it imports nothing, and the front door would load the database
// drivers into every command.
import { INVITATION_STATUSES } from '../invitations/lifecycle';
import { CHANNELS } from './invitation-input';
import { definedOnly, isoTime } from './options';

/** The query of GET /v1/invitations. */
export type InvitationQuery = NonNullable<operations['listInvitations']['parameters']['query']>;

/** The filter flags shared by `invite list` and `export`, as parsed by commander. */
export interface InvitationFilterFlags {
  readonly status?: InvitationQuery['status'];
  readonly channel?: InvitationQuery['channel'];
  readonly direction?: InvitationQuery['direction'];
  readonly email?: string;
  readonly contact?: string;
  readonly identity?: string;
  readonly target?: string;
  readonly purpose?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly sort?: InvitationQuery['sort'];
  readonly order?: InvitationQuery['order'];
}

/** Adds the list filters of GET /v1/invitations to a command. */
export function addInvitationFilters(command: Command): Command {
  return command
    .addOption(new Option('--status <status>', 'only this status').choices(INVITATION_STATUSES))
    .addOption(new Option('--channel <channel>', 'only this channel').choices(CHANNELS))
    .addOption(
      new Option('--direction <direction>', 'outgoing (sent by us) or incoming (sent to us)').choices([
        'outgoing',
        'incoming',
      ]),
    )
    .option('--email <address>', 'recipient email, case-insensitive')
    .option('--contact <id>', 'invitations to this contact')
    .option('--identity <id>', 'invitations from this identity')
    .option('--target <iri>', 'target IRI, or "tenant"')
    .option('--purpose <id>', 'the invitation with this purpose')
    .option('--created-after <time>', 'created at or after this ISO-8601 time', isoTime)
    .option('--created-before <time>', 'created before this ISO-8601 time', isoTime)
    .addOption(
      new Option('--sort <field>', 'sort field (default createdAt)').choices(['createdAt', 'updatedAt', 'expiresAt']),
    )
    .addOption(new Option('--order <order>', 'sort order (default desc)').choices(['asc', 'desc']));
}

/** The list query the flags describe, for pages of `limit` (the server's 50 when undefined). */
export function invitationQuery(flags: InvitationFilterFlags, limit?: number): InvitationQuery {
  return definedOnly({
    status: flags.status,
    channel: flags.channel,
    direction: flags.direction,
    email: flags.email,
    contactId: flags.contact,
    identityId: flags.identity,
    target: flags.target,
    purpose: flags.purpose,
    createdAfter: flags.createdAfter,
    createdBefore: flags.createdBefore,
    sort: flags.sort,
    order: flags.order,
    limit,
  });
}
