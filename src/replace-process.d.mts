/** Types for replace-process.mjs, which stays JavaScript so bin/usher.js can use it before anything is built. */
export function replaceProcess(argv: readonly string[], env?: Readonly<Record<string, string | undefined>>): string;
