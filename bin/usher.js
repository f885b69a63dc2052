#!/usr/bin/env node
// The `usher` command: checks the Node version (package.json's engines, as the server does), then runs the
// TypeScript CLI through tsx (no build step).
import { requireNodeVersion } from '../src/node-version.mjs';

requireNodeVersion('usher', new URL('../package.json', import.meta.url));
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv);
