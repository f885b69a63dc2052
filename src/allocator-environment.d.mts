/** Types for allocator-environment.mjs, which stays JavaScript so bin/usher.js can use it before anything is built. */
export const MMAP_THRESHOLD_BYTES: number;
export function allocatorEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): Record<string, string> | null;
