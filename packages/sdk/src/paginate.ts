import { unwrap } from './usher-error.js';

/** A page of any list: its items and the cursor of the next page (absent or null on the last one). */
export interface Page<Item> {
  readonly data: readonly Item[];
  readonly nextCursor?: string | null;
}

type PageCall<Item> = (
  cursor: string | undefined,
) => Promise<{ data?: Page<Item>; error?: unknown; response: Response }>;

/**
 * Every item of a list, page after page, following `nextCursor` until the last page; a problem on any page throws
 * an UsherError. Pages are fetched as the loop reaches them, so breaking early fetches no more:
 *
 *   for await (const invitation of paginate((cursor) =>
 *     usher.GET('/v1/invitations', { params: { query: { status: 'pending', cursor } } }))) { … }
 */
export async function* paginate<Item>(call: PageCall<Item>): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await unwrap(call(cursor));
    yield* page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
