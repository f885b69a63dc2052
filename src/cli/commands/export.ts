import { Option, type Command } from 'commander';
import { unwrap, type Schemas } from '#sdk';
import { contextOf } from '../context';
import { csvLine } from '../csv-format';
import { addInvitationFilters, invitationQuery, type InvitationFilterFlags } from '../invitation-filters';
import { definedOnly } from '../options';
import { openLineSink } from '../output-file';
import { followCursor } from '../pages';

type Invitation = Schemas['Invitation'];

/**
 * The CSV columns. Those `usher import` reads (email, name, role, message, target_*, purpose, locale,
 * expires_at, channel, label, rules, metadata) carry the same names, so an export imports back.
 */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (i: Invitation) => string | number | boolean | null]> = [
  ['id', (i) => i.id],
  ['number', (i) => i.number],
  ['status', (i) => i.status],
  ['channel', (i) => i.channel],
  ['direction', (i) => i.direction],
  ['email', (i) => i.recipient.email],
  ['name', (i) => i.recipient.name],
  ['contact_id', (i) => i.recipient.contactId],
  ['did', (i) => i.recipient.did],
  ['actor_iri', (i) => i.recipient.actorIri],
  ['target_type', (i) => i.target.type],
  ['target_iri', (i) => i.target.iri],
  ['target_name', (i) => i.target.name],
  ['role', (i) => i.role],
  ['rules', (i) => i.rules.join(';')],
  ['message', (i) => i.message],
  ['label', (i) => i.label],
  ['description', (i) => i.description],
  ['purpose', (i) => i.purpose],
  ['public', (i) => i.public],
  ['uses_allowed', (i) => i.usesAllowed],
  ['uses_count', (i) => i.usesCount],
  ['starts_at', (i) => i.startsAt],
  ['expires_at', (i) => i.expiresAt],
  ['locale', (i) => i.locale],
  ['metadata', (i) => (Object.keys(i.metadata).length > 0 ? JSON.stringify(i.metadata) : null)],
  ['created_at', (i) => i.createdAt],
  ['updated_at', (i) => i.updatedAt],
];

interface ExportFlags extends InvitationFilterFlags {
  readonly format?: 'csv' | 'jsonl';
  readonly output?: string;
}

/** `usher export`: every invitation matching the filters, as CSV or JSON lines. */
export function registerExportCommand(program: Command): void {
  addInvitationFilters(
    program.command('export').description('write every invitation (following the pages) as CSV or JSON lines'),
  )
    .addOption(
      new Option('--format <format>', 'csv (default) or jsonl (the default with --json)').choices(['csv', 'jsonl']),
    )
    .option('--output <file>', 'write to this file (created readable by you only) instead of stdout')
    .addHelpText(
      'after',
      `
The CSV has a header row; its email, name, role, message, target_*, purpose, locale, expires_at, channel,
label, rules and metadata columns are those \`usher import\` reads.

Examples:
  $ usher export --status accepted --output accepted.csv
  $ usher export --format jsonl --target https://example.com/p/apollo | jq .recipient.email`,
    )
    .action(async (flags: ExportFlags, command: Command) => {
      const { out, client } = contextOf(command);
      const api = client();
      const format = flags.format ?? (out.json ? 'jsonl' : 'csv');
      const query = invitationQuery(flags, 200);
      const sink = openLineSink(flags.output);
      if (format === 'csv') await sink.write(csvLine(CSV_COLUMNS.map(([name]) => name)));
      let count = 0;
      for await (const invitation of followCursor((cursor) =>
        unwrap(api.GET('/v1/invitations', { params: { query: definedOnly({ ...query, cursor }) } })),
      )) {
        await sink.write(
          format === 'csv'
            ? csvLine(CSV_COLUMNS.map(([, value]) => value(invitation)))
            : `${JSON.stringify(invitation)}\n`,
        );
        count += 1;
      }
      await sink.close();
      // With --output, stdout is free for the summary; without, it holds the data and nothing else.
      if (flags.output !== undefined)
        out.result(
          { exported: count, format, output: flags.output },
          () => `Exported ${count} invitations to ${flags.output}\n`,
        );
      else out.note(`Exported ${count} invitations.`);
    });
}
