/**
 * What node and the C library fix when the process starts, made right for the server before it loads: V8's young
 * generation for its store (young-generation.ts) and the allocator's settings (allocator-environment.mjs). When
 * either is missing the server runs itself again, once, in the same process (replace-process.mjs: same pid, so a
 * supervisor's signals still reach it) with both.
 */
import { allocatorEnvironment } from './allocator-environment.mjs';
import { replaceProcess } from './replace-process.mjs';
import { youngGenerationArgs } from './young-generation';

/**
 * Runs this process again with what it lacks; returns when nothing does, or when the process cannot be replaced,
 * which it says on stderr: the server then runs as it is.
 */
export function ensureProcessImage(): void {
  const args = youngGenerationArgs(process.env.USHER_DATABASE_URL, process.execArgv, process.env.NODE_OPTIONS) ?? [];
  const env = allocatorEnvironment(process.env, process.platform) ?? {};
  if (args.length === 0 && Object.keys(env).length === 0) return;
  const argv = [process.execPath, ...process.execArgv, ...args, ...process.argv.slice(1)];
  const reason = replaceProcess(argv, { ...process.env, ...env });
  const missing = [...args, ...Object.entries(env).map(([name, value]) => `${name}=${value}`)];
  process.stderr.write(`usher: running without ${missing.join(', ')}: ${reason}\n`);
}
