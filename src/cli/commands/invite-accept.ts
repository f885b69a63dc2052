import { Option, type Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { createClient } from '../connection';
import { contextOf, type CommandContext } from '../context';
import { classifyInvitationUrl } from '../invitation-url';
import { definedOnly } from '../options';

interface AcceptFlags {
  readonly name?: string;
  readonly email?: string;
  readonly subject?: string;
  readonly identity?: string;
  readonly label?: string;
  readonly alias?: string;
  readonly didMethod?: Schemas['AcceptInvitationUrl']['didMethod'];
}

const EXAMPLES = `
An Usher link (…/i/<token>) is accepted on the server that issued it, as the invitee; no API key is needed.
A DIDComm invitation (?oob= or ?c_i=) is accepted by your own Usher on behalf of one of your identities;
the connection completes when the inviter answers (see GET /v1/connections).

Examples:
  $ usher invite accept https://usher.example.com/i/9fQ… --name "Ann Smith" --email ann@example.com
  $ usher invite accept 'https://agent.example/?oob=eyJAdHlwZSI6…' --label "Acme" --alias agent-x`;

/** `usher invite accept <url>`: accept an invitation someone else sent. */
export function registerInviteAcceptCommand(invite: Command): void {
  invite
    .command('accept')
    .description("accept someone else's invitation URL: an Usher link or a DIDComm invitation")
    .argument('<url>', 'the invitation URL')
    .option('--name <name>', 'link: your name, as the inviter will see it')
    .option('--email <address>', 'link: your email address')
    .option('--subject <id>', "link: your id in the inviter's application")
    .option('--identity <id>', 'didcomm: which of your identities accepts (default: the default identity)')
    .option('--label <label>', 'didcomm: the label the inviter sees')
    .option('--alias <alias>', 'didcomm: your own name for the connection')
    .addOption(
      new Option('--did-method <method>', 'didcomm: your connection DID (default did:peer:2)').choices([
        'did:peer:2',
        'did:peer:4',
      ]),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (raw: string, flags: AcceptFlags, command: Command) => {
      const context = contextOf(command);
      const invitation = classifyInvitationUrl(raw);
      if (invitation.kind === 'link') await acceptLink(context, invitation.baseUrl, invitation.token, flags);
      else await acceptDidcomm(context, invitation.url, flags);
    });
}

async function acceptLink({ out }: CommandContext, baseUrl: string, token: string, flags: AcceptFlags): Promise<void> {
  // Another tenant's, maybe another server's, invitation: our key must not travel there.
  const issuer = createClient(baseUrl);
  const body = definedOnly({ name: flags.name, email: flags.email, subject: flags.subject });
  const accepted = await unwrap(
    issuer.POST('/v1/public/invitations/{token}/accept', { params: { path: { token } }, body }),
  );
  if ('joinRequest' in accepted) {
    // The invitation requires approval: a pending request, no membership or token until someone approves it.
    out.record(accepted, [
      ['status', `join request ${accepted.joinRequest.status}`],
      ['join request', accepted.joinRequest.id],
      ['inviter', `${accepted.invitation.inviter.displayName} (${accepted.invitation.tenant.name})`],
    ]);
    return;
  }
  const { invitation, membership } = accepted;
  out.record(accepted, [
    ['status', invitation.status],
    ['inviter', `${invitation.inviter.displayName} (${invitation.tenant.name})`],
    [
      'target',
      invitation.target.type === 'tenant'
        ? invitation.tenant.name
        : `${invitation.target.type}:${invitation.target.name ?? invitation.target.iri}`,
    ],
    ['role', membership.role],
    ['membership', membership.id],
    ['acceptance token', accepted.acceptanceToken.token],
    ['redirect', accepted.redirectUrl],
  ]);
}

async function acceptDidcomm(
  { out, client }: CommandContext,
  invitationUrl: string,
  flags: AcceptFlags,
): Promise<void> {
  const body = definedOnly({
    invitationUrl,
    identityId: flags.identity,
    label: flags.label,
    alias: flags.alias,
    didMethod: flags.didMethod,
  });
  const connection = await unwrap(
    client().POST('/v1/didcomm/accept', { body: body as Schemas['AcceptInvitationUrl'] }),
  );
  out.record(connection, [
    ['connection', connection.id],
    ['state', connection.state],
    ['protocol', connection.protocol],
    ['their label', connection.theirLabel],
    ['our did', connection.ourDid],
    ['invitation', connection.invitationId],
  ]);
  if (!out.json)
    out.note('The connection completes when the inviter answers: check it with GET /v1/connections/' + connection.id);
}
