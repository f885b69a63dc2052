// Replacing this process's image with node started again, other options first: the one way to change what node
// fixes at start (V8's heap sizes) without a parent left to orphan the server. Shared by `usher serve`
// (bin/usher.js) and the server's entry (young-generation.ts); plain JavaScript with no imports, as
// node-version.mjs, since bin/usher.js loads it before anything is built.

/**
 * Runs `argv` (node's path, its options, the script and its arguments) in place of this process, with `env` (its
 * own environment unless given): the same pid, so a supervisor's signals and the exit code stay the server's. Never
 * returns when it worked; else returns why not, and the caller goes on as it is:
 * - Node has no `process.execve` (before 22.15, or on Windows);
 * - the process talks to its parent over an IPC channel (`child_process.fork`, a cluster worker, PM2): node takes the
 *   channel's descriptor out of the environment when it starts, so the new image would lose its parent;
 * - the call itself failed.
 */
export function replaceProcess(argv, env = process.env) {
  if (typeof process.execve !== 'function') return 'process.execve needs Node 22.15 or later, not on Windows';
  if (process.channel !== undefined || process.env.NODE_UNIQUE_ID !== undefined)
    return 'started with an IPC channel to its parent, which a new process image would lose';
  try {
    process.execve(process.execPath, argv, env);
  } catch (error) {
    return error.code ?? error.message;
  }
  return 'process.execve returned';
}
