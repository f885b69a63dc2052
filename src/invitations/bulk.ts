import { sql, type Kysely } from 'kysely';
import type { Database } from '#db';
import { AppError } from '#common/errors';
import { fieldErrors } from '#http/validation';
import type { InvitationWithUrl } from './create';
import type { ChannelSchemas } from './channel-schemas';
import type { CreateInvitationInput } from './schemas';
import type { BulkCreateInvitationsInput, BulkItemProblem, BulkItemResult, BulkResult } from './bulk-schemas';

type CreateOne = (trx: Kysely<Database>, input: CreateInvitationInput) => Promise<InvitationWithUrl>;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An item over the defaults: the item's fields win; recipient and metadata are merged key by key. */
function withDefaults(defaults: Record<string, unknown> | undefined, item: unknown): unknown {
  // Not an object: left as it is, for validation to report.
  if (!defaults || !isPlainObject(item)) return item;
  const merged: Record<string, unknown> = { ...defaults, ...item };
  for (const key of ['recipient', 'metadata'] as const) {
    if (isPlainObject(defaults[key]) && isPlainObject(item[key])) merged[key] = { ...defaults[key], ...item[key] };
  }
  return merged;
}

/** Field paths of a refusal are rewritten from `body.x` to `body.items.<i>.x`: the caller sent a list. */
const itemField = (index: number, field: string | undefined) =>
  field ? field.replace(/^body(?=\.|$)/, `body.items.${index}`) : null;

/**
 * Creates each item as POST /v1/invitations would, inside the caller's transaction, and says per item
 * what happened. Each item runs under a savepoint, so a refused one leaves nothing behind and, on
 * PostgreSQL, does not abort the transaction for the items after it. A recipient who already has a
 * pending invitation to the target (also from earlier in the same call) is a `duplicate`, which is
 * what makes an interrupted import safe to rerun.
 */
export async function createInBulk(
  trx: Kysely<Database>,
  schemas: Pick<ChannelSchemas, 'create'>,
  input: BulkCreateInvitationsInput,
  createOne: CreateOne,
): Promise<BulkResult> {
  const results: BulkItemResult[] = [];
  const defaults = input.defaults as Record<string, unknown> | undefined;
  for (const [index, raw] of input.items.entries()) {
    const parsed = schemas.create.safeParse(withDefaults(defaults, raw));
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, 'json');
      const detail = errors.map((e) => `${itemField(index, e.field)}: ${e.message}`).join('; ');
      results.push({
        index,
        outcome: 'invalid',
        problem: { code: 'validation_failed', detail, field: itemField(index, errors[0]?.field) },
      });
      continue;
    }
    await sql`savepoint bulk_item`.execute(trx);
    try {
      const invitation = await createOne(trx, parsed.data);
      await sql`release savepoint bulk_item`.execute(trx);
      results.push({ index, outcome: 'created', invitation });
    } catch (error) {
      await sql`rollback to savepoint bulk_item`.execute(trx);
      await sql`release savepoint bulk_item`.execute(trx);
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'invitation_already_pending') {
        // Without the id only when a concurrent request inserted it between our check and our insert.
        const existing = error.extra?.existingInvitationId;
        results.push({
          index,
          outcome: 'duplicate',
          ...(typeof existing === 'string' ? { existingInvitationId: existing } : {}),
        });
      } else {
        // An item over a quota is refused alone: the items before it stay made, and a rerun after
        // Retry-After makes the rest (those made come back as duplicates).
        const { quota, retryAfterSeconds } = (error.extra ?? {}) as Pick<
          BulkItemProblem,
          'quota' | 'retryAfterSeconds'
        >;
        results.push({
          index,
          outcome: 'invalid',
          problem: {
            code: error.code,
            detail: error.message,
            field: itemField(index, error.field),
            ...(quota ? { quota, retryAfterSeconds } : {}),
          },
        });
      }
    }
  }
  return { summary: countOutcomes(results), results };
}

function countOutcomes(results: readonly BulkItemResult[]): BulkResult['summary'] {
  const summary = { created: 0, duplicate: 0, invalid: 0 };
  for (const result of results) summary[result.outcome] += 1;
  return summary;
}
