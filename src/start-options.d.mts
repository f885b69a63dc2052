/** Types for start-options.mjs, which stays JavaScript so bin/usher.js can use it before anything is built. */
export function startNodeOptions(packageJsonUrl: URL): string[];
