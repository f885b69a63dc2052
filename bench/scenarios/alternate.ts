/**
 * The matrix's write comparison in alternating order: for each scenario and connection count, Usher, the bare baseline
 * and the floor run one after another, in an order that rotates from one step to the next. Run as three blocks (all of
 * Usher's, then all of the baseline's, then the floor's), a slow stretch of a shared machine lands on one of them and
 * reads as a difference between servers; taken in turns, it spreads over all three.
 */
import type { LoadResult } from '../load';
import type { LoadRow } from '../results';
import type { RecordRun } from './recorder';

/** The write runs of the matrix, in the order they run: accepts take the tokens the link creates made. */
export const WRITE_SCENARIOS = ['create', 'create (email)', 'accept'] as const;
export type WriteScenario = (typeof WRITE_SCENARIOS)[number];

/** One side of the comparison, kept up and warm across its turns. */
export interface Contender {
  readonly name: LoadRow['server'];
  /** The connection counts it runs `scenario` at; none for a scenario it has not (the baseline sends no email). */
  levels(scenario: WriteScenario): readonly number[];
  /** Unmeasured work before its first run of `scenario`: a fresh server's settle, the first accepts. */
  warm(scenario: WriteScenario): Promise<void>;
  /**
   * A short unmeasured run just before each measured one: the others' turns leave a server idle for longer than its
   * pool keeps an idle connection (node-pg's default, 10 s), and a measured run must not pay for new connections and
   * their prepared statements.
   */
  rewarm(scenario: WriteScenario, connections: number): Promise<void>;
  /** One measured run. */
  run(scenario: WriteScenario, connections: number): Promise<LoadResult>;
  /** Keeps a run's figures in the results (with PostgreSQL's statements, for Usher). */
  readonly record: RecordRun;
}

/** `items` turned left by `by`: [a, b, c] by 1 is [b, c, a]. */
export const rotated = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length]!);

/**
 * Each scenario: every contender warms up for it, then at each connection count every contender that runs it takes
 * its turn. The order rotates at each step where more than one runs, so each goes first about as often as the others.
 */
export async function alternate(contenders: readonly Contender[], levels: readonly number[]): Promise<void> {
  let step = 0;
  for (const scenario of WRITE_SCENARIOS) {
    for (const contender of contenders) if (contender.levels(scenario).length > 0) await contender.warm(scenario);
    for (const connections of levels) {
      const turn = contenders.filter((contender) => contender.levels(scenario).includes(connections));
      const order = turn.length > 1 ? rotated(contenders, step++).filter((c) => turn.includes(c)) : turn;
      for (const contender of order) {
        await contender.rewarm(scenario, connections);
        await contender.record(scenario, () => contender.run(scenario, connections));
      }
    }
  }
}
