import { Option, type Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { addIdCommand } from '../id-command';
import { definedOnly } from '../options';
import type { Column } from '../table';

type Identity = Schemas['Identity'];

const identityColumns: readonly Column<Identity>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'handle', value: (i) => i.handle },
  { header: 'name', value: (i) => i.displayName },
  { header: 'status', value: (i) => i.status },
  { header: 'default', value: (i) => (i.isDefault ? 'yes' : '') },
  { header: 'did', value: (i) => i.did },
];

const identityFields = (i: Identity) =>
  [
    ['id', i.id],
    ['handle', i.handle],
    ['name', i.displayName],
    ['status', i.status],
    ['default', i.isDefault],
    ['did', i.did],
    ['created', i.createdAt],
    ['updated', i.updatedAt],
  ] as const;

/** `usher identities list|create|get|update`: who the tenant invites as. */
export function registerIdentitiesCommand(program: Command): void {
  const identities = program
    .command('identities')
    .description('the identities the tenant invites as (list, create, get, update)');

  identities
    .command('list')
    .description('list identities, the default first')
    .action(async (_flags: unknown, command: Command) => {
      const { out, client } = contextOf(command);
      const page = await unwrap(client().GET('/v1/identities'));
      out.table(page, page.data, identityColumns);
    });

  identities
    .command('create')
    .description('create an identity with a fresh Ed25519 did:key')
    .argument('<display-name>', 'the name invitees see')
    .option('--handle <handle>', 'unique on this server (the ActivityPub name); made from the name when omitted')
    .addHelpText('after', '\nExample:\n  $ usher identities create "Acme Events" --handle events')
    .action(async (displayName: string, flags: { handle?: string }, command: Command) => {
      const { out, client } = contextOf(command);
      const identity = await unwrap(
        client().POST('/v1/identities', {
          body: definedOnly({ displayName, handle: flags.handle }) as Schemas['CreateIdentity'],
        }),
      );
      out.record(identity, identityFields(identity));
    });

  addIdCommand(identities, 'get', 'show an identity', 'identity', async ({ out, client }, id) => {
    const identity = await unwrap(client().GET('/v1/identities/{id}', { params: { path: { id } } }));
    out.record(identity, identityFields(identity));
  });

  identities
    .command('update')
    .description('rename an identity, or disable or enable it')
    .argument('<id>', "the identity's id")
    .option('--display-name <name>', 'the new name')
    .addOption(
      new Option('--status <status>', 'a disabled identity cannot send invitations').choices(['active', 'disabled']),
    )
    .action(async (id: string, flags: { displayName?: string; status?: Identity['status'] }, command: Command) => {
      const { out, client } = contextOf(command);
      const body = definedOnly({ displayName: flags.displayName, status: flags.status });
      if (Object.keys(body).length === 0) throw usageError('nothing to change: pass --display-name or --status');
      const identity = await unwrap(client().PATCH('/v1/identities/{id}', { params: { path: { id } }, body }));
      out.record(identity, identityFields(identity));
    });
}
