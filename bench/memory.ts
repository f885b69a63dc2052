import { readFileSync } from 'node:fs';

/** A process's memory in MB from /proc: resident now, and the kernel's own high-water mark. */
export function readMemory(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/**
 * Samples a server's memory while it is under load. VmHWM is exact (the kernel keeps it), the
 * samples show when the peak happened; both are kept per phase by the caller.
 */
export function sampleMemory(
  pid: number,
  intervalMs = 200,
): { stop(): { startRssMb: number; peakRssMb: number; hwmMb: number } } {
  const startRssMb = readMemory(pid)?.rssMb ?? Number.NaN;
  let peak = 0;
  let hwm = 0;
  const take = () => {
    const memory = readMemory(pid);
    if (!memory) return;
    peak = Math.max(peak, memory.rssMb);
    hwm = Math.max(hwm, memory.hwmMb);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { startRssMb, peakRssMb: peak, hwmMb: hwm };
    },
  };
}
