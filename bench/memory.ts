import { statusNumbers } from './processes';

/** A process's memory in MB from /proc: resident now, and the kernel's own high-water mark. */
export function readMemory(pid: number): { rssMb: number; hwmMb: number } | null {
  const kb = statusNumbers(pid, ['VmRSS', 'VmHWM']);
  return kb && { rssMb: kb.VmRSS / 1024, hwmMb: kb.VmHWM / 1024 };
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
