import { CommanderError } from 'commander';
import { UsherError } from '#sdk';
import { ExitCode, type ExitCodeValue } from './exit-codes';

/** A failure the CLI explains itself: the message goes to stderr, the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage or configuration error (exit 2). */
export const usageError = (message: string): CliError => new CliError(ExitCode.usage, message);

/** How a failure ends the process: the exit code and the line for stderr (null when already printed). */
export interface Failure {
  readonly exitCode: ExitCodeValue;
  readonly message: string | null;
}

/** Maps anything a command threw to its exit code and message. */
export function failureOf(error: unknown): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (error instanceof UsherError) return { exitCode: ExitCode.refused, message: describeRefusal(error) };
  // The reader went away (`usher export | head`): what it wanted, it got.
  if (isClosedPipe(error)) return { exitCode: ExitCode.ok, message: null };
  if (error instanceof CommanderError) {
    // Commander has printed its message or the help already. Help asked for is success; help shown
    // because a command was missing (`usher keys`) is a usage error, and commander says so with exitCode 1.
    return { exitCode: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage, message: null };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: ExitCode.unexpected, message: `usher: unexpected failure: ${detail}` };
}

/** True for a write to a pipe whose reader has closed it. */
export const isClosedPipe = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';

/** `code: detail (field)`, as the server said it, with a hint where the fix is on our side. */
function describeRefusal(error: UsherError): string {
  const problem = error.problem;
  if (!problem)
    return `http_${error.status}: the server answered HTTP ${error.status} without a problem body (is this an Usher URL?)`;
  const line = `${problem.code}: ${problem.detail ?? problem.title}${problem.field ? ` (${problem.field})` : ''}`;
  if (error.status === 401) return `${line}\n  check --api-key, USHER_API_KEY or the profile written by \`usher init\``;
  return line;
}
