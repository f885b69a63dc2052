import type pg from 'pg';

/** The socket under a node-pg client: not in its types, but the field every node-pg version has had. */
type WithSocket = { connection: { stream: { cork(): void; uncork(): void } } };

/**
 * A transaction's BEGIN, held back and written with the transaction's first statement, so the two cost one round
 * trip instead of two (bench: a round trip costs Usher about 0.1 ms of CPU on node-pg, most of it the socket write,
 * and PostgreSQL as much again). Needs the client in node-pg's pipeline mode, which sends a query without waiting
 * for the answer to the one before; the two go out in one write and each gets its own answer. A transaction that
 * runs nothing sends nothing: its COMMIT or ROLLBACK is dropped with the held BEGIN.
 */
export class HeldBegin {
  #held: string | null = null;

  constructor(private readonly client: pg.PoolClient) {}

  /** Keeps `begin` to send with the next statement. */
  hold(begin: string): void {
    this.#held = begin;
  }

  /** True, forgetting it, when a BEGIN is still held: the COMMIT or ROLLBACK that ends it has nothing to end. */
  dropIfHeld(): boolean {
    const held = this.#held !== null;
    this.#held = null;
    return held;
  }

  /**
   * Sends the held BEGIN, if any, and the statement `send` submits, in one write; resolves to the statement's answer.
   * `send` must hand its query to the client before its first await (node-pg submits in `query()` itself).
   */
  async with<R>(send: () => Promise<R>): Promise<R> {
    const begin = this.#held;
    if (begin === null) return send();
    this.#held = null;
    const { stream } = (this.client as unknown as WithSocket).connection;
    stream.cork();
    let began: Promise<unknown>;
    let answer: Promise<R>;
    try {
      began = this.client.query(begin);
      answer = send();
    } finally {
      stream.uncork();
    }
    // Both are awaited before either error is thrown: neither may be left to reject unhandled.
    const [beginResult, statementResult] = await Promise.allSettled([began, answer]);
    if (beginResult.status === 'rejected') throw beginResult.reason;
    if (statementResult.status === 'rejected') throw statementResult.reason;
    return statementResult.value;
  }
}
