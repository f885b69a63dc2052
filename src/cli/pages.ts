import type { Command } from 'commander';
import { integerBetween } from './options';
import type { Output } from './output';
import type { Column } from './table';

/** One page of a cursor-paginated list, as every Usher list answers. */
export interface Page<T> {
  readonly data: readonly T[];
  readonly nextCursor: string | null;
}

/** Every item of a list, page after page, starting at `cursor` (the first page when undefined). */
export async function* followCursor<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  cursor?: string,
): AsyncGenerator<T> {
  let next: string | undefined = cursor;
  do {
    const page = await fetchPage(next);
    yield* page.data;
    next = page.nextCursor ?? undefined;
  } while (next !== undefined);
}

/** One page, or with `all` every page from there on gathered into one, in the list's own shape. */
export async function pageOrAll<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { all?: boolean; cursor?: string },
): Promise<Page<T>> {
  if (!options.all) return fetchPage(options.cursor);
  const data: T[] = [];
  for await (const item of followCursor(fetchPage, options.cursor)) data.push(item);
  return { data, nextCursor: null };
}

/** The paging flags of list commands, as parsed by commander. */
export interface PageFlags {
  readonly limit?: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

/** Adds --limit, --cursor and --all to a list command. */
export function addPageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'page size, 1 to 200 (default 50)', integerBetween(1, 200))
    .option('--cursor <cursor>', "continue from a previous page's next cursor")
    .option('--all', 'follow the cursor to the last page');
}

/** Prints a page as a table (or JSON), and on stderr how to get the next one. */
export function printPage<T>(out: Output, page: Page<T>, columns: readonly Column<T>[]): void {
  out.table(page, page.data, columns);
  if (page.nextCursor && !out.json) out.note(`More: --cursor ${page.nextCursor}, or --all`);
}
