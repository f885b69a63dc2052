import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { unwrap } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { addIdCommand } from '../id-command';
import { addInvitationFilters, invitationQuery, type InvitationFilterFlags } from '../invitation-filters';
import { addInvitationOptions, invitationFromFlags, type InvitationFlags } from '../invitation-input';
import { eventColumns, invitationColumns, invitationFields } from '../invitation-views';
import { definedOnly } from '../options';
import { addPageOptions, pageOrAll, printPage, type PageFlags } from '../pages';
import { registerInviteAcceptCommand } from './invite-accept';

const CREATE_EXAMPLES = `
Examples:
  $ usher invite create --email ann@example.com --name Ann --role contributor \\
      --target-type project --target-iri https://example.com/p/apollo --target-name Apollo
  $ usher invite create --channel link --uses 50 --starts-at 2026-11-23T09:00:00Z --purpose autumn-cohort
  $ usher invite create --actor @ann@social.example --role contributor
  $ usher invite create --channel didcomm --label Acme --uses unlimited --goal-code aries.rel.build
  $ usher invite create --provider linkedin --provider-user ACoAAB… --provider-account 0193…`;

const LIST_EXAMPLES = `
Examples:
  $ usher invite list --status pending --target https://example.com/p/apollo
  $ usher invite list --email ann@example.com --json
  $ usher invite list --all --sort updatedAt --order asc`;

/** `usher invite …`: create, list, look at and change invitations; accept someone else's. */
export function registerInviteCommand(program: Command): void {
  const invite = program
    .command('invite')
    .description('invitations (create, list, get, revoke, resend, reset-link, qr, events, accept)');

  addInvitationOptions(
    invite
      .command('create')
      .description('create an invitation on any channel; prints its link (invite get shows it again)'),
  )
    .option('--idempotency-key <key>', 'retrying with the same key and flags creates it once (kept 24 hours)')
    .addHelpText('after', CREATE_EXAMPLES)
    .action(async (flags: InvitationFlags & { idempotencyKey?: string }, command: Command) => {
      const { out, client } = contextOf(command);
      const header = definedOnly({ 'idempotency-key': flags.idempotencyKey });
      const invitation = await unwrap(
        client().POST('/v1/invitations', { params: { header }, body: invitationFromFlags(flags) }),
      );
      out.record(invitation, invitationFields(invitation));
    });

  addPageOptions(
    addInvitationFilters(invite.command('list').description('list invitations, newest first, with filters')),
  )
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (flags: InvitationFilterFlags & PageFlags, command: Command) => {
      const { out, client } = contextOf(command);
      const api = client();
      const query = invitationQuery(flags, flags.limit ?? (flags.all ? 200 : undefined));
      const page = await pageOrAll(
        (cursor) => unwrap(api.GET('/v1/invitations', { params: { query: definedOnly({ ...query, cursor }) } })),
        flags,
      );
      printPage(out, page, invitationColumns);
    });

  addIdCommand(
    invite,
    'get',
    'show an invitation and where its messages stand',
    'invitation',
    async ({ out, client }, id) => {
      const invitation = await unwrap(client().GET('/v1/invitations/{id}', { params: { path: { id } } }));
      out.record(invitation, invitationFields(invitation));
    },
  );

  addIdCommand(
    invite,
    'revoke',
    'revoke a pending invitation: its link stops working at once',
    'invitation',
    async ({ out, client }, id) => {
      const invitation = await unwrap(client().POST('/v1/invitations/{id}/revoke', { params: { path: { id } } }));
      out.record(invitation, invitationFields(invitation));
    },
  );

  addIdCommand(
    invite,
    'resend',
    'send again with a new link and restart the expiry; the old link stops working',
    'invitation',
    async ({ out, client }, id) => {
      const invitation = await unwrap(client().POST('/v1/invitations/{id}/resend', { params: { path: { id } } }));
      out.record(invitation, invitationFields(invitation));
    },
  );

  addIdCommand(
    invite,
    'reset-link',
    'give a link or email invitation a new link; the old one, and its printed QR codes, stop working',
    'invitation',
    async ({ out, client }, id) => {
      const invitation = await unwrap(client().POST('/v1/invitations/{id}/reset-link', { params: { path: { id } } }));
      out.record(invitation, invitationFields(invitation));
    },
  );

  invite
    .command('qr')
    .description("a QR code of a link or email invitation's live link, as SVG (to stdout or a file) or PNG (to a file)")
    .argument('<id>', "the invitation's id")
    .option('--png', 'PNG instead of SVG; needs --output')
    .option('--size <pixels>', 'width and height, 64 to 2048', '512')
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (id: string, flags: { png?: boolean; size: string; output?: string }, command: Command) => {
      const { client } = contextOf(command);
      if (flags.png && !flags.output) throw usageError('--png writes binary data: give --output <file>');
      const params = { path: { id }, query: { size: Number(flags.size) } };
      const image = flags.png
        ? Buffer.from(await unwrap(client().GET('/v1/invitations/{id}/qr.png', { params, parseAs: 'arrayBuffer' })))
        : await unwrap(client().GET('/v1/invitations/{id}/qr.svg', { params, parseAs: 'text' }));
      if (flags.output) writeFileSync(flags.output, image, { mode: 0o600 });
      else process.stdout.write(image);
    });

  addIdCommand(
    invite,
    'events',
    "the invitation's timeline, oldest first",
    'invitation',
    async ({ out, client }, id) => {
      const events = await unwrap(client().GET('/v1/invitations/{id}/events', { params: { path: { id } } }));
      out.table(events, events.data, eventColumns);
    },
  );

  registerInviteAcceptCommand(invite);
}
