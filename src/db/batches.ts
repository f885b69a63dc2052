/** Options of a batched delete; the defaults suit a sweep every minute. */
export interface BatchOptions {
  /** Rows per statement (and per transaction); 500 by default. */
  readonly batchSize?: number;
  /** Batches per call; what is left waits for the next call. 20 by default. */
  readonly maxBatches?: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `batch` (which deletes up to `size` rows and says how many) until one deletes fewer than
 * the batch size or `maxBatches` have run, with a turn of the event loop between batches, so a
 * backlog never holds SQLite's one writer long and requests queued behind it get their turn.
 * Returns the total deleted.
 */
export async function deleteInBatches(options: BatchOptions, batch: (size: number) => Promise<number>): Promise<number> {
  const size = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  let total = 0;
  for (let run = 0; run < maxBatches; run++) {
    if (run > 0) await nextTurn();
    const deleted = await batch(size);
    total += deleted;
    if (deleted < size) break;
  }
  return total;
}
