import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { importRows, type RowResult } from '../bulk-import';
import { contextOf } from '../context';
import { readCsvRows } from '../csv-import';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';
import {
  countResults,
  createReportWriter,
  emptyTally,
  INVALID_LISTED,
  invalidRowsText,
  progressText,
  rowCount,
  summaryText,
} from '../import-report';
import { addInvitationOptions, invitationFromFlags, type InvitationFlags } from '../invitation-input';
import { integerBetween } from '../options';
import { openLineSink } from '../output-file';
import { createProgress } from '../progress';

interface ImportFlags extends InvitationFlags {
  readonly batchSize: number;
  readonly report?: string;
}

const HELP = `
Columns (header row; empty cells take the flags' values):
  email (required unless the channel is link), name, role, message, target_type, target_iri,
  target_name, purpose, locale, expires_at, channel, label, rules (a;b), metadata (a JSON object),
  and any metadata.<key>. Other columns are ignored, with a warning.

Rows go in batches through POST /v1/invitations/bulk, each with an Idempotency-Key made from its
content. Rerunning an interrupted import replays the batches that finished, and the server reports
recipients who already have a pending invitation as duplicate: a rerun never invites anyone twice.

Exit code 4 when some rows were invalid: the others were imported; fix those rows and rerun.

Examples:
  $ usher import guests.csv --target-type event --target-iri https://example.com/e/gala --target-name Gala --role guest
  $ usher import guests.csv --report results.csv
  $ usher import guests.csv --json | jq -r 'select(.outcome == "created") | .url'`;

/** `usher import <file.csv>`: invite everyone in a CSV file, in batches, safe to rerun. */
export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description('invite everyone in a CSV file, in batches; safe to rerun')
    .argument('<file>', 'a CSV file with a header row');
  addInvitationOptions(command, [
    'channel',
    'targetType',
    'targetIri',
    'targetName',
    'role',
    'rule',
    'message',
    'expiresAt',
    'locale',
    'identity',
    'invitedBy',
    'invitedById',
    'invitedByEmail',
    'redirectUrl',
  ])
    .option('--batch-size <n>', 'rows per call, 1 to 5000', integerBetween(1, 5000), 500)
    .option('--report <file>', "also write each row's result as CSV: line, email, outcome, id, url, code, detail")
    .addHelpText('after', HELP)
    .action(async (file: string, flags: ImportFlags, command: Command) => {
      const { out, env, client } = contextOf(command);
      const api = client();
      const totalBytes = fileSize(file);
      const flagged = invitationFromFlags(flags);
      const defaults = Object.keys(flagged).length > 0 ? flagged : undefined;
      const checkHeader = (columns: readonly string[], unknown: readonly string[]) => {
        if (!columns.includes('email') && !columns.includes('channel') && defaults?.channel !== 'link') {
          throw usageError(`${file} has no email column: add one, or pass --channel link for shareable links`);
        }
        if (unknown.length > 0) out.note(`usher import: ignoring columns it does not read: ${unknown.join(', ')}`);
      };

      const tally = emptyTally();
      const invalid: RowResult[] = [];
      const progress = createProgress({
        stream: process.stderr,
        tty: env.stderrIsTty,
        totalBytes,
        label: 'usher import',
      });
      const report = flags.report === undefined ? undefined : openLineSink(flags.report);
      const writeReport = report && createReportWriter(report);
      const started = Date.now();
      try {
        await importRows(api, readCsvRows(file, checkHeader), {
          defaults,
          batchSize: flags.batchSize,
          onBatch: async (results, bytes) => {
            countResults(tally, results);
            for (const result of results) {
              if (out.json) out.jsonLine(result);
              if (result.outcome === 'invalid' && invalid.length < INVALID_LISTED) invalid.push(result);
            }
            await writeReport?.(results);
            progress.update({ bytes, summary: progressText(tally) });
          },
        });
      } catch (error) {
        progress.done();
        // Whatever stopped it, the way on is the same command: finished batches are replayed, not created twice.
        if (tally.rows > 0)
          out.note(`usher import: stopped after ${rowCount(tally.rows)}; run the same command again to continue`);
        throw error;
      } finally {
        await report?.close();
      }
      progress.done({ bytes: totalBytes, summary: progressText(tally) });

      const summary = summaryText(tally, Date.now() - started);
      if (out.json) out.note(summary.trimEnd());
      else out.result(null, () => summary + invalidRowsText(invalid, tally.invalid, { color: out.color }));
      if (tally.invalid > 0)
        throw new CliError(
          ExitCode.partial,
          `usher import: ${rowCount(tally.invalid)} of ${tally.rows} invalid and not imported; the rest were imported`,
        );
    });
}

function fileSize(file: string): number {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw usageError(`${file} is not a file`);
    return stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
