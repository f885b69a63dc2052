/**
 * V8's young generation for the store a server runs on. `npm start`'s options (package.json) give semi-spaces of
 * 8 MB, which keep a SQLite server under its 200 MB RSS target: there a request finishes within a turn of the event
 * loop. On PostgreSQL a request's objects live across its round trips, and at a hundred connections the ninety
 * waiting their turn (http/admission.ts) outlived 8 MB semi-spaces, were copied, promoted and marked (bench, two
 * servers on one database, alternating: Usher's CPU for a list page at 100 connections 1.06–1.18 → 0.73 ms, a link
 * create 0.49 → 0.41; 16 MB gave the create's gain but not the list's). It costs RSS: 154 → 210 MB under list load.
 *
 * A heap's sizes are fixed when the process starts, and the store is known only from the environment, so the
 * server runs itself again in the same process (same pid: a supervisor's signals still reach it), once, with the
 * larger size appended to its node options (process-image.ts).
 */
import { isPostgresUrl } from './config/database-url';

/** Semi-spaces, in MB, a server on PostgreSQL runs with at least. */
export const POSTGRES_SEMI_SPACE_MB = 32;

/** The semi-space size the node options give (the last one wins, as in V8), or undefined for V8's default. */
function semiSpaceOf(execArgv: readonly string[]): number | undefined {
  let size: number | undefined;
  execArgv.forEach((arg, i) => {
    const flag = arg.replace(/_/g, '-');
    const inline = /^--max-semi-space-size=(\d+)$/.exec(flag);
    if (inline) size = Number(inline[1]);
    else if (flag === '--max-semi-space-size' && /^\d+$/.test(execArgv[i + 1] ?? '')) size = Number(execArgv[i + 1]);
  });
  return size;
}

/**
 * The node options to add before running the server on the store `databaseUrl` names, or null when it has what it
 * needs. The size in force is the command line's, else `NODE_OPTIONS`'s (node lets the command line win), else V8's
 * default (16 MB on Node 22's 64-bit heaps), which counts as too small on PostgreSQL.
 */
export function youngGenerationArgs(
  databaseUrl: string | undefined,
  execArgv: readonly string[],
  nodeOptions = '',
): string[] | null {
  // Anything else is SQLite's, or an error the config reports.
  if (!isPostgresUrl(databaseUrl)) return null;
  const size = semiSpaceOf(execArgv) ?? semiSpaceOf(nodeOptions.split(/\s+/).filter(Boolean));
  if (size !== undefined && size >= POSTGRES_SEMI_SPACE_MB) return null;
  return [`--max-semi-space-size=${POSTGRES_SEMI_SPACE_MB}`];
}
