/** Types for node-version.mjs, which stays JavaScript so it runs before any TypeScript tooling or native module. */
export function requiredNodeVersion(engines: string): [number, number, number];
export function satisfies(version: string, minimum: readonly [number, number, number]): boolean;
export function requireNodeVersion(program: string, packageJsonUrl: URL, version?: string): void;
