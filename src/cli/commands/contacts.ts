import { Option, type Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { usageError } from '../errors';
import { addIdCommand } from '../id-command';
import { collect, definedOnly } from '../options';
import { addPageOptions, pageOrAll, printPage, type PageFlags } from '../pages';
import type { Column } from '../table';

type Contact = Schemas['Contact'];

interface ContactListFlags extends PageFlags {
  readonly email?: string;
  readonly did?: string;
  readonly actor?: string;
  readonly tag?: string;
  readonly order?: 'asc' | 'desc';
}

interface ContactFlags {
  readonly name?: string;
  readonly email?: string;
  readonly did?: string;
  readonly actor?: string;
  readonly providerHandle?: string[];
  readonly tag?: string[];
}

const contactColumns: readonly Column<Contact>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'name', value: (c) => c.name },
  { header: 'email', value: (c) => c.email },
  { header: 'did', value: (c) => c.did },
  { header: 'actor', value: (c) => c.actorIri },
  { header: 'tags', value: (c) => c.tags.join(', ') },
];

const contactFields = (c: Contact) =>
  [
    ['id', c.id],
    ['name', c.name],
    ['email', c.email],
    ['did', c.did],
    ['actor', c.actorIri],
    [
      'providers',
      Object.entries(c.providerHandles)
        .map(([provider, handle]) => `${provider}=${handle}`)
        .join(', '),
    ],
    ['tags', c.tags.join(', ')],
    ['created', c.createdAt],
    ['updated', c.updatedAt],
  ] as const;

function addContactOptions(command: Command, clearing: boolean): Command {
  const clears = clearing ? ' ("" clears it)' : '';
  return command
    .option('--name <name>', `the contact's name${clears}`)
    .option('--email <address>', `email address${clears}`)
    .option('--did <did>', `DID${clears}`)
    .option('--actor <iri>', `ActivityPub actor IRI${clears}`)
    .option(
      '--provider-handle <provider=handle>',
      'a handle on a provider, e.g. linkedin=ann-smith (repeatable)',
      collect,
    )
    .option('--tag <tag>', 'a tag (repeatable; replaces the stored tags)', collect);
}

/** The create or update body the flags describe; an empty string means null (clear the field). */
function contactBody(flags: ContactFlags): Schemas['CreateContact'] {
  const orNull = (value: string | undefined) => (value === '' ? null : value);
  return definedOnly({
    name: orNull(flags.name),
    email: orNull(flags.email),
    did: orNull(flags.did),
    actorIri: orNull(flags.actor),
    providerHandles: flags.providerHandle ? Object.fromEntries(flags.providerHandle.map(providerHandle)) : undefined,
    tags: flags.tag,
  });
}

function providerHandle(pair: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0) throw usageError(`--provider-handle expects provider=handle, got "${pair}"`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

/** `usher contacts list|create|get|update|delete`: the people the tenant invites. */
export function registerContactsCommand(program: Command): void {
  const contacts = program.command('contacts').description("the tenant's contacts (list, create, get, update, delete)");

  addPageOptions(contacts.command('list').description('list contacts, oldest first'))
    .option('--email <address>', 'exact address, case-insensitive')
    .option('--did <did>', 'this DID')
    .option('--actor <iri>', 'this ActivityPub actor')
    .option('--tag <tag>', 'contacts with this tag')
    .addOption(new Option('--order <order>', 'by creation time (default asc)').choices(['asc', 'desc']))
    .action(async (flags: ContactListFlags, command: Command) => {
      const { out, client } = contextOf(command);
      const api = client();
      const query = definedOnly({
        email: flags.email,
        did: flags.did,
        actorIri: flags.actor,
        tag: flags.tag,
        order: flags.order,
        limit: flags.limit,
      });
      const page = await pageOrAll(
        (cursor) => unwrap(api.GET('/v1/contacts', { params: { query: definedOnly({ ...query, cursor }) } })),
        flags,
      );
      printPage(out, page, contactColumns);
    });

  addContactOptions(contacts.command('create').description('create a contact'), false)
    .addHelpText(
      'after',
      '\nExample:\n  $ usher contacts create --name "Ann Smith" --email ann@example.com --tag speakers',
    )
    .action(async (flags: ContactFlags, command: Command) => {
      const { out, client } = contextOf(command);
      const contact = await unwrap(client().POST('/v1/contacts', { body: contactBody(flags) }));
      out.record(contact, contactFields(contact));
    });

  addIdCommand(contacts, 'get', 'show a contact', 'contact', async ({ out, client }, id) => {
    const contact = await unwrap(client().GET('/v1/contacts/{id}', { params: { path: { id } } }));
    out.record(contact, contactFields(contact));
  });

  addContactOptions(
    contacts
      .command('update')
      .description('change a contact: given fields replace stored ones')
      .argument('<id>', "the contact's id"),
    true,
  )
    .addHelpText('after', '\nExample:\n  $ usher contacts update 0193… --email ann@new.example --did ""')
    .action(async (id: string, flags: ContactFlags, command: Command) => {
      const { out, client } = contextOf(command);
      const body = contactBody(flags);
      if (Object.keys(body).length === 0)
        throw usageError(
          'nothing to change: pass at least one of --name, --email, --did, --actor, --provider-handle, --tag',
        );
      const contact = await unwrap(client().PATCH('/v1/contacts/{id}', { params: { path: { id } }, body }));
      out.record(contact, contactFields(contact));
    });

  addIdCommand(
    contacts,
    'delete',
    'delete a contact; invitations that named it keep their addresses',
    'contact',
    async ({ out, client }, id) => {
      await unwrap(client().DELETE('/v1/contacts/{id}', { params: { path: { id } } }));
      out.result({ id, deleted: true }, () => `Deleted contact ${id}\n`);
    },
  );
}
