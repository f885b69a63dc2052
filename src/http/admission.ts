/**
 * How many requests a process works on at once. A request let in is parsed, authenticated and
 * holds its objects until its statements are answered; with a hundred connections on a pool of ten,
 * ninety of them would wait for a connection with all of that alive, surviving the young generation
 * (docs/benchmarks.md: a list page cost Usher 1.29 ms at 100 connections against 0.58 at 10). Held
 * here instead, before any of it, a waiting request is Node's parsed request and nothing else.
 */
export interface AdmissionSettings {
  /** Requests worked on at once; 0 lets every request in as it comes. */
  readonly limit: number;
  /**
   * The longest a request waits for its turn before it is let in anyway, in ms. Without it, requests that wait on
   * another request to this process (one Usher calling another that calls back) could hold every turn and never get
   * the answer they wait for; with it, such a wait costs this long and load past it runs as if there were no limit.
   */
  readonly maxWaitMs: number;
}

/** Runs `work` when its turn comes; the turns are given in the order requests arrived. */
export type Admit = <T>(work: () => Promise<T>) => Promise<T>;

/** The admission, and what `/metrics` says of it. */
export interface Admission {
  readonly admit: Admit;
  /** Requests waiting their turn now. */
  waiting(): number;
  /** Requests let in past the limit after waiting maxWaitMs, since the process started: the limit is too low. */
  letInLate(): number;
}

/** How many let-in waiters the queue keeps at its front before it drops them. */
const COMPACT_AT = 1_024;

export function createAdmission(settings: AdmissionSettings): Admission {
  if (settings.limit <= 0) return { admit: (work) => work(), waiting: () => 0, letInLate: () => 0 };
  let working = 0;
  let queued = 0;
  let late = 0;
  // A queue by index rather than shift() (hundreds of waiters under load, each let in in O(1)), dropping its front
  // now and then: under load that never lets up, it never empties.
  let waiting: (() => void)[] = [];
  let head = 0;
  const turn = (): Promise<void> =>
    new Promise((resolve) => {
      let waited = false;
      // At its turn or after maxWaitMs, whichever comes first; the turn it skipped stays with the queue.
      const letIn = () => {
        if (waited) return;
        waited = true;
        clearTimeout(timer);
        queued -= 1;
        working += 1;
        resolve();
      };
      const timer = setTimeout(() => {
        late += 1;
        letIn();
      }, settings.maxWaitMs);
      queued += 1;
      waiting.push(letIn);
    });
  const next = () => {
    // letIn counts the request as working; one let in by its wait already does nothing.
    while (working < settings.limit && head < waiting.length) waiting[head++]!();
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    } else if (head >= COMPACT_AT) {
      waiting = waiting.slice(head);
      head = 0;
    }
  };
  return {
    async admit(work) {
      if (working < settings.limit && head === waiting.length) working += 1;
      else await turn();
      try {
        return await work();
      } finally {
        working -= 1;
        next();
      }
    },
    waiting: () => queued,
    letInLate: () => late,
  };
}
