#!/usr/bin/env node
// The `usher` command: checks the Node version, then runs the TypeScript CLI through tsx (no build step).

const [major, minor] = process.versions.node.split('.').map(Number);
// commander 15 needs Node 22.12 or newer; say so plainly instead of failing on a syntax or import error.
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `usher: Node.js 22.12 or newer is needed, this is ${process.versions.node}.\n` +
      '  From the repository, `npx usher …` uses the Node 22 that `npm install` put in node_modules/.bin.\n',
  );
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv);
