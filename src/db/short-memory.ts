import { afterCommit } from './after-commit';
import type { Db } from './store';

/**
 * How long rows that rarely change are believed without reading them again, unless USHER_CONFIG_CACHE_MS says
 * otherwise. A second: a busy tenant then costs a read a second for each instead of one a request (on PostgreSQL a
 * statement costs Usher and the server 0.1–0.15 ms of CPU together, bench/micro/pg-store-ab.ts), and a change made
 * through another process takes effect within it. A change made through this process takes effect at once.
 */
export const CONFIG_CACHE_MS = 1_000;
/** Entries kept at most; past it the oldest go. A few per busy tenant and key. */
const MAX_ENTRIES = 4_096;

// Process-wide, not per memory: a change committed through any app in this process makes every memory in it forget,
// which is also right when two apps share a database (tests, the bench).
let generation = 0;

/** Makes every ShortMemory in this process forget what it holds. */
export function forgetRemembered(): void {
  generation++;
}

/**
 * For the owner of a remembered table, after it wrote to it through `db`: once the write commits (at once outside a
 * transaction), every memory in this process forgets, so the next read sees it. Not before: a read begun in between
 * would see the old row and keep it.
 */
export function forgetAfterCommit(db: Db): Promise<void> {
  return afterCommit(db, forgetRemembered);
}

interface Entry {
  readonly value: unknown;
  readonly until: number;
  readonly generation: number;
}

/**
 * Reads of rows that rarely change (an API key, a tenant's inviter, its signing key, its webhook endpoints)
 * remembered for `ttlMs`, by a key the caller names. Null and undefined are never remembered (an unknown or revoked
 * key is read each time), nor is what a read saw if a change committed while it ran. Only for rows the reading
 * transaction has not written: a remembered row must be committed.
 */
export class ShortMemory {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly ttlMs: number = CONFIG_CACHE_MS,
    // Monotonic time, not the app's clock: staleness is a matter of real time, and tests' clocks stand still.
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  async recall<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return read();
    const entry = this.#entries.get(key);
    if (entry && entry.generation === generation && entry.until > this.monotonicMs()) return entry.value as T;
    const began = generation;
    const value = await read();
    this.#entries.delete(key);
    if (value === null || value === undefined || began !== generation) return value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { value, until: this.monotonicMs() + this.ttlMs, generation: began });
    return value;
  }
}
