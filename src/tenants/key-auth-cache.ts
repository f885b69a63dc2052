import type { Db } from '#db';
import type { ApiKeyAuth } from '#http/auth';
import { hashSecret } from '#common/secrets';
import { authenticateKeyHash } from './api-keys';

/**
 * How long an authenticated key is believed without reading it again, unless USHER_KEY_CACHE_MS says otherwise. A
 * second: long enough that a busy key costs one read a second instead of one a request (the read was half of a list
 * page's statements, bench/micro/pg-store-ab.ts keys), short enough that a key revoked or changed through another
 * process takes effect within it. A change made through this process takes effect at once (`forget`).
 */
export const KEY_CACHE_MS = 1_000;
/** Keys remembered at most; past it the oldest go. A deployment's busy keys are a handful. */
const MAX_KEYS = 1_000;

interface Remembered {
  readonly auth: ApiKeyAuth;
  readonly until: number;
}

/**
 * Authenticates API keys through a short-lived memory of the ones recently seen, keyed by the key's hash (the key
 * itself is never kept). Unknown and revoked keys are not remembered: they are read each time, as before.
 */
export class KeyAuthCache {
  readonly #byHash = new Map<string, Remembered>();
  // Bumped by forget(): a read that started before a change must not store what it saw after the change committed.
  #generation = 0;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number = KEY_CACHE_MS,
    // Monotonic time, not the app's clock: staleness is a matter of real time, and tests' clocks stand still.
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  async authenticate(presented: string, now: Date): Promise<ApiKeyAuth | null> {
    const hash = hashSecret(presented);
    if (this.ttlMs <= 0) return authenticateKeyHash(this.db, hash, now);
    const remembered = this.#byHash.get(hash);
    if (remembered && remembered.until > this.monotonicMs()) return remembered.auth;
    const generation = this.#generation;
    const auth = await authenticateKeyHash(this.db, hash, now);
    if (generation !== this.#generation) return auth;
    this.#byHash.delete(hash);
    if (!auth) return null;
    if (this.#byHash.size >= MAX_KEYS) this.#byHash.delete(this.#byHash.keys().next().value!);
    this.#byHash.set(hash, { auth, until: this.monotonicMs() + this.ttlMs });
    return auth;
  }

  /** Forgets every key: called after a key or a tenant's settings change, so this process sees it at once. */
  forget(): void {
    this.#generation++;
    this.#byHash.clear();
  }
}
