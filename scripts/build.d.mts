/** Types for build.mjs, which stays JavaScript so `npm start` can run it without a TypeScript runner. */
export function buildServer(): Promise<void>;
export function distIsStale(): boolean;
