import { z } from '@hono/zod-openapi';
import { normalizeEmail } from '#tenants';
import { decodeCursor, encodeCursor, type Cursor } from '#http/pagination';
import { dataTrailsError } from './errors';
import { ORDER_BY, type OrderBy } from './schemas';

/**
 * Where a list continues, and the query it continues. DataTrails clients (datatrails-python's
 * `list`) send the next request with `page_token` alone, dropping page_size and the filters, so
 * the token has to carry them for the next page to be the same query.
 */
export interface PageState {
  readonly orderBy: OrderBy;
  readonly pageSize: number;
  readonly email: string | null;
  /** The last row's sort value (created_at, or the normalized email) and id; null on the first page. */
  readonly after: Cursor | null;
}

const TokenSchema = z.tuple([
  z.enum(ORDER_BY),
  z.number().int().min(1),
  z.string().max(254).nullable(),
  z.string().max(320),
  z.uuid(),
]);

/** The token for the page after `after`; opaque to clients (base64url of JSON, like the core's cursors). */
export function encodePageToken(state: PageState, after: Cursor): string {
  const tuple: z.infer<typeof TokenSchema> = [state.orderBy, state.pageSize, state.email, after.value, after.id];
  return Buffer.from(JSON.stringify(tuple), 'utf8').toString('base64url');
}

const invalid = (detail: string) => dataTrailsError('invalid_page_token', detail, 'query.page_token');

/** Reads a token this surface issued; anything else is a 400 on `query.page_token`. */
export function decodePageToken(raw: string): PageState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid('pass back next_page_token exactly as received');
  }
  const result = TokenSchema.safeParse(parsed);
  if (!result.success) throw invalid('pass back next_page_token exactly as received');
  const [orderBy, pageSize, email, value, id] = result.data;
  if (orderBy === 'DEFAULT') {
    // The core checks its own cursors; a DEFAULT token is one, so let it judge this one too.
    try {
      decodeCursor(encodeCursor({ value, id }));
    } catch {
      throw invalid('pass back next_page_token exactly as received');
    }
  }
  return { orderBy, pageSize, email, after: { value, id } };
}

/**
 * The query a request asks for: the token's, with an explicit page_size taking over (AIP-158
 * allows that) and an explicit order_by or email that differs from the token's refused, since
 * its position means nothing in another order or result set.
 */
export function continueFrom(
  token: PageState,
  asked: { orderBy?: OrderBy | undefined; email?: string | undefined; pageSize: number | null },
): PageState {
  if (asked.orderBy !== undefined && asked.orderBy !== token.orderBy)
    throw invalid(`this page_token continues an order_by=${token.orderBy} list`);
  if (asked.email !== undefined && normalizeEmail(asked.email) !== token.email)
    throw invalid('this page_token continues a list with another email filter');
  return asked.pageSize === null ? token : { ...token, pageSize: asked.pageSize };
}
