/**
 * A micro-benchmark that compares implementations of one operation in one process: rounds alternate
 * their order, so a noisy neighbour slows both alike, and the verdict is the median ratio of the rounds.
 */

/** One implementation under test; `run` does one operation. */
export interface Contender {
  readonly name: string;
  readonly run: () => unknown;
}

/** Medians over the rounds for one contender; the ratios are to the first contender of the same round. */
export interface ContenderResult {
  readonly name: string;
  readonly opsPerSecond: number;
  readonly cpuMicrosPerOp: number;
  readonly cpuRatio: number;
}

export interface CompareOptions {
  /** Rounds, each running every contender once in alternating order; 9 unless given. */
  readonly rounds?: number;
  /** Wall time one contender gets per round, which sizes its batch; 300 ms unless given. */
  readonly batchMs?: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Runs `n` operations back to back, awaiting each when it returns a promise (jose signs asynchronously). */
async function batch(run: () => unknown, n: number): Promise<{ wallNs: number; cpuMicros: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const result = run();
    if (result instanceof Promise) await result;
  }
  const wallNs = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  return { wallNs, cpuMicros: used.user + used.system };
}

/** How many operations fill `ms` of wall time, measured after a warm-up of the same size. */
async function batchSize(run: () => unknown, ms: number): Promise<number> {
  let n = 16;
  for (;;) {
    const { wallNs } = await batch(run, n);
    if (wallNs > ms * 1e5) return Math.max(16, Math.round((n * ms * 1e6) / wallNs));
    n *= 4;
  }
}

/** Compares the contenders; the first one is the baseline of `cpuRatio`. */
export async function compare(
  contenders: readonly Contender[],
  options: CompareOptions = {},
): Promise<ContenderResult[]> {
  const rounds = options.rounds ?? 9;
  const sizes = await Promise.all(contenders.map((c) => batchSize(c.run, options.batchMs ?? 300)));
  const samples = contenders.map(() => ({ ops: [] as number[], cpu: [] as number[], ratio: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    const cpuPerOp: number[] = [];
    for (const i of order) {
      const n = sizes[i]!;
      const { wallNs, cpuMicros } = await batch(contenders[i]!.run, n);
      samples[i]!.ops.push((n * 1e9) / wallNs);
      cpuPerOp[i] = cpuMicros / n;
      samples[i]!.cpu.push(cpuMicros / n);
    }
    contenders.forEach((_, i) => samples[i]!.ratio.push(cpuPerOp[i]! / cpuPerOp[0]!));
  }
  return contenders.map((c, i) => ({
    name: c.name,
    opsPerSecond: median(samples[i]!.ops),
    cpuMicrosPerOp: median(samples[i]!.cpu),
    cpuRatio: median(samples[i]!.ratio),
  }));
}

/** The results as a markdown table, titled. */
export function formatResults(title: string, results: readonly ContenderResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${Math.round(r.opsPerSecond).toLocaleString('en')} | ${r.cpuMicrosPerOp.toFixed(2)} | ` +
      `${r.cpuRatio.toFixed(2)} |`,
  );
  const head = ['| implementation | ops/s | CPU µs/op | CPU ratio |', '| --- | --- | --- | --- |'];
  return [`### ${title}`, '', ...head, ...rows, ''].join('\n');
}
