// The C allocator's settings a server runs with, applied when the process starts (glibc reads them once, from the
// environment): the server's entry runs itself again with them (process-image.ts), and `usher serve` starts with
// them (bin/usher.js). Plain JavaScript with no imports, as replace-process.mjs, since bin/usher.js loads it before
// anything is built.

/**
 * Blocks from 128 KiB up come from mmap and go back to the system when freed. glibc's default threshold starts there
 * but rises to the size of each mapped block freed, up to 32 MiB, after which a bulk import's request and answer
 * buffers (megabytes each) came from the heap and stayed: a SQLite server's peak RSS over eight bulk imports of 5,000
 * items was 203–205 MB, with the threshold fixed 183–185, and the imports took as long (bench, alternating starts).
 */
export const MMAP_THRESHOLD_BYTES = 128 * 1024;

/**
 * The variables to add to `env` before the server runs, or null when it has them: on Linux, where glibc reads them
 * (musl ignores them), a fixed mmap threshold unless the environment sets one of its own.
 */
export function allocatorEnvironment(env, platform) {
  if (platform !== 'linux' || env.MALLOC_MMAP_THRESHOLD_ !== undefined) return null;
  return { MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) };
}
