import type { StoreName } from './databases';
import type { Child } from './processes';
import type { Results } from './results';
import { sampleMemory } from './memory';

/**
 * Runs `work` against a freshly started server and always stops it, recording the server's peak
 * memory over the phase (the Usher RSS target is judged on these rows); `memory: null` records
 * nothing, for runs that are not measurements (a profiled server).
 */
export async function withServer<T>(
  results: Results,
  memory: { engine: StoreName; phase: string } | null,
  start: () => Promise<Child>,
  work: (server: Child) => Promise<T>,
): Promise<T> {
  const server = await start();
  const sampler = sampleMemory(server.pid);
  try {
    return await work(server);
  } finally {
    const peak = sampler.stop();
    if (memory) results.memory.push({ ...memory, ...peak, ...(await heapFigures(server.url)) });
    await server.stop();
  }
}

/**
 * Usher's own view of its memory at the end of a phase (prom-client's default gauges); the baseline has no /metrics.
 */
async function heapFigures(url: string): Promise<{ heapUsedMb?: number; heapTotalMb?: number; externalMb?: number }> {
  try {
    const response = await fetch(`${url}/metrics`);
    if (!response.ok) return {};
    const text = await response.text();
    const mb = (name: string) =>
      Number(new RegExp(`^usher_nodejs_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
    return {
      heapUsedMb: mb('heap_size_used_bytes'),
      heapTotalMb: mb('heap_size_total_bytes'),
      externalMb: mb('external_memory_bytes'),
    };
  } catch {
    return {};
  }
}
