import { sql } from 'kysely';
import type { Db } from '#db';

/**
 * How many numbers a process takes from PostgreSQL's sequence at a time: a statement every NUMBER_BLOCK creates, and
 * no row in `invitation_numbers` for each. A process that stops leaves the rest of its block unused, so numbers skip
 * at most NUMBER_BLOCK - 1 at a restart.
 */
export const NUMBER_BLOCK = 32;

/** Numbers reserved from the sequence, handed out in order, refilled by whichever create finds the block empty. */
class NumberBlock {
  #numbers: number[] = [];
  #next = 0;
  #refill: Promise<void> | null = null;

  async take(trx: Db): Promise<number> {
    for (;;) {
      const number = this.#numbers[this.#next];
      if (number !== undefined) {
        this.#next += 1;
        return number;
      }
      if (this.#refill) {
        // Another create is refilling: its block serves this one too. If its statement failed (its transaction was
        // already aborted, say), this create refills in its own.
        await this.#refill.catch(() => undefined);
        continue;
      }
      const refill = reserve(trx, NUMBER_BLOCK).then((numbers) => {
        this.#numbers = numbers;
        this.#next = 0;
      });
      this.#refill = refill;
      try {
        await refill;
      } finally {
        if (this.#refill === refill) this.#refill = null;
      }
    }
  }
}

/**
 * `count` numbers from the sequence of `invitation_numbers`. nextval is never rolled back, so numbers taken in a
 * transaction that fails stay taken, as a serial's always did; other processes' calls may come between them.
 */
async function reserve(trx: Db, count: number): Promise<number[]> {
  const { rows } = await sql<{ number: string | number }>`
    select nextval(pg_get_serial_sequence('invitation_numbers', 'number')) as number
    from generate_series(1, ${count})`.execute(trx);
  return rows.map((row) => Number(row.number)).sort((a, b) => a - b);
}

/** One block for each database a process opened, known by its Kysely adapter, which its transactions share. */
const blocks = new WeakMap<object, NumberBlock>();

/**
 * The next invitation number for a PostgreSQL database, from this process's block: numbers increase within a
 * process, and processes on one database interleave by blocks, as a sequence with a CACHE does.
 */
export function takeBlockNumber(trx: Db): Promise<number> {
  const adapter = trx.getExecutor().adapter;
  let block = blocks.get(adapter);
  if (!block) {
    block = new NumberBlock();
    blocks.set(adapter, block);
  }
  return block.take(trx);
}
