import type pg from 'pg';

/** The socket under a node-pg client: not in its types, but the field every node-pg version has had. */
type WithSocket = { connection: { stream: { cork(): void; uncork(): void } } };

/**
 * Marks a write whose answer nobody waits for (`insertRowsLater` in prepared-query.ts): held on PostgreSQL and sent
 * with the transaction's next statement. A comment, so the text is still the statement itself wherever it goes.
 */
export const LATER = '/* usher:later */ ';

/**
 * Marks a read sent ahead (`readAhead` in read-ahead.ts): held like a LATER write, its answer delivered to the
 * `Answer` that is its last value once the statement it went with has been answered.
 */
export const AHEAD = '/* usher:ahead */ ';

/** Where a read sent ahead delivers its answer. */
export interface Answer {
  resolve(result: pg.QueryResult): void;
  reject(error: unknown): void;
}

/** A statement held back: a BEGIN (no values), a write marked LATER, or a read marked AHEAD (with its answer). */
export type Held = {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
  readonly answer?: Answer;
};

/** What a read sent ahead is told when its transaction ends before the read went out. */
const unsent = () => new Error('the transaction ended before the read sent ahead went out');

/**
 * Statements of a transaction held back and written with its next statement that needs an answer, so they cost one
 * round trip together instead of one each (bench: a round trip costs Usher about 0.1 ms of CPU on node-pg, most of
 * it the socket write, and PostgreSQL as much again). What is held: the transaction's BEGIN, and writes marked
 * LATER, which cannot fail but by a bug or a failing database. Needs the client in node-pg's pipeline mode, which
 * sends a query without waiting for the answer to the one before; all go out in one write, and each is answered.
 *
 * A held statement's error comes out of the statement it went with (a write's, rather than the "transaction is
 * aborted" of the statements after it). A transaction that ran nothing sends nothing: its COMMIT or ROLLBACK is
 * dropped with the held BEGIN; a ROLLBACK drops held writes, as does a ROLLBACK TO SAVEPOINT (a SAVEPOINT sends
 * what is held first, so what is held then was written after it).
 */
export class HeldStatements {
  #begin: string | null = null;
  #writes: Held[] = [];
  /** Sends what is held on its own when nothing else came to carry a read someone may be waiting for. */
  #valve: NodeJS.Immediate | null = null;
  /** What the valve's sending failed with: the transaction's next statement throws it. */
  #failure: { readonly error: unknown } | null = null;

  /** `combine`: what is held, as it goes out (merged-writes.ts makes inserts in a row one statement). */
  constructor(
    private readonly client: pg.PoolClient,
    private readonly combine: (held: Held[]) => Held[] = (held) => held,
  ) {}

  /** Keeps the transaction's BEGIN to send with the next statement. */
  begin(text: string): void {
    this.#begin = text;
    this.#writes = [];
  }

  /**
   * Keeps a write marked LATER, or a read marked AHEAD with its answer, to send with the next statement. A read's
   * answer may be awaited before the request sends anything else (a read that leads to another, say): if no
   * statement has come by the time the event loop turns (the request's own microtasks all ran), what is held goes
   * out alone, so a read sent ahead costs at worst the round trip it would have cost anyway, never a deadlock.
   */
  later(statement: Held): void {
    this.#writes.push(statement);
    if (statement.answer && !this.#valve) {
      this.#valve = setImmediate(() => {
        this.#valve = null;
        // Its failure is kept inside `with`, before any answer wakes a waiter that might COMMIT meanwhile.
        this.with(() => Promise.resolve(undefined), true).catch(() => undefined);
      });
    }
  }

  /** Before a COMMIT: false, forgetting the BEGIN, when the transaction ran nothing, so there is nothing to send. */
  commitHasWork(): boolean {
    if (this.#begin !== null && this.#writes.length === 0) {
      this.#begin = null;
      return false;
    }
    return true;
  }

  /**
   * At a COMMIT that has work: when the transaction is only a plain BEGIN, not sent yet, and held statements that go out
   * as one, that statement is sent alone and its answer given, with neither BEGIN nor COMMIT; otherwise null, and the
   * COMMIT goes out with what is held. PostgreSQL runs a statement sent outside a transaction as a transaction of its
   * own, so it commits or fails whole as it would have between them; the two statements left out are two fewer for
   * PostgreSQL to run and answer, and two fewer answers for node-pg (bench: a link create is one statement).
   */
  commitAlone(): Promise<unknown> | null {
    if (this.#begin === null || !/^begin$/i.test(this.#begin)) return null;
    const held = this.combine(this.#writes);
    if (held.length !== 1) return null;
    this.#closeValve();
    this.#begin = null;
    this.#writes = [];
    return this.#send(held, () => Promise.resolve(undefined), false);
  }

  #closeValve(): void {
    if (this.#valve) clearImmediate(this.#valve);
    this.#valve = null;
  }

  /**
   * Before a ROLLBACK (`toSavepoint` false) or a ROLLBACK TO SAVEPOINT: drops the held writes. False when the
   * ROLLBACK has nothing to undo, because the BEGIN was never sent.
   */
  rollbackHasWork(toSavepoint: boolean): boolean {
    for (const { answer } of this.#writes) answer?.reject(unsent());
    this.#writes = [];
    this.#failure = null;
    if (toSavepoint || this.#begin === null) return true;
    this.#begin = null;
    return false;
  }

  /**
   * Sends what is held, then the statement `send` submits, in one write; resolves to the statement's answer.
   * `send` must hand its query to the client before its first await (node-pg submits in `query()` itself).
   * `alone`: the valve's sending, with no statement of a caller's to fail.
   */
  async with<R>(send: () => Promise<R>, alone = false): Promise<R> {
    if (this.#failure) {
      const { error } = this.#failure;
      this.#failure = null;
      throw error;
    }
    this.#closeValve();
    if (this.#begin === null && this.#writes.length === 0) return send();
    const held = this.combine(this.#begin === null ? this.#writes : [{ text: this.#begin }, ...this.#writes]);
    this.#begin = null;
    this.#writes = [];
    return this.#send(held, send, alone);
  }

  /** `held`, then the statement `send` submits, corked into one write; the answers settled as `with` says. */
  async #send<R>(held: readonly Held[], send: () => Promise<R>, alone: boolean): Promise<R> {
    const { stream } = (this.client as unknown as WithSocket).connection;
    stream.cork();
    const answers: Promise<unknown>[] = [];
    try {
      for (const { text, values, name } of held)
        answers.push(values === undefined ? this.client.query(text) : this.client.query({ text, values, name }));
      answers.push(send());
    } finally {
      stream.uncork();
    }
    // All are awaited before any error is thrown: none may be left to reject unhandled. The first error is the
    // cause; the statements after it in the transaction fail only because it did.
    const settled = await Promise.allSettled(answers);
    const failed = settled.find((answer) => answer.status === 'rejected');
    // Sent alone, nobody is there to throw it: the transaction's next statement, or its COMMIT, will.
    if (failed && alone) this.#failure = { error: failed.reason };
    held.forEach(({ answer }, i) => {
      const result = settled[i]!;
      if (result.status === 'fulfilled') answer?.resolve(result.value as pg.QueryResult);
      else answer?.reject(result.reason);
    });
    if (failed) throw failed.reason;
    return (settled.at(-1) as PromiseFulfilledResult<R>).value;
  }
}
