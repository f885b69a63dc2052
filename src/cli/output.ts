import { Writable } from 'node:stream';
import type { CliEnvironment } from './environment';
import { renderRecord, renderTable, type Column } from './table';

/** Where a command's results go: JSON on stdout with --json, human views otherwise; notes always on stderr. */
export interface Output {
  readonly json: boolean;
  readonly color: boolean;
  /** The command's result: `value` as JSON with --json, else what `human()` renders. */
  result(value: unknown, human: () => string): void;
  /** Rows as a table, or the JSON value that carries them. */
  table<T>(value: unknown, rows: readonly T[], columns: readonly Column<T>[]): void;
  /** One record as aligned label/value lines, or its JSON value. */
  record(value: unknown, fields: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>): void;
  /** One compact JSON value on its own stdout line (JSON lines), for results that stream. */
  jsonLine(value: unknown): void;
  /** A line for people, on stderr, so stdout stays parseable. */
  note(message: string): void;
}

/** The Output of one command run. */
export function createOutput(options: {
  json: boolean;
  env: CliEnvironment;
  stdout?: Writable;
  stderr?: Writable;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const style = { color: options.env.color };
  const result = (value: unknown, human: () => string) => {
    stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  };
  return {
    json: options.json,
    color: style.color,
    result,
    table: (value, rows, columns) => result(value, () => renderTable(rows, columns, style)),
    record: (value, fields) => result(value, () => renderRecord(fields, style)),
    jsonLine: (value) => {
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    note: (message) => {
      stderr.write(`${message}\n`);
    },
  };
}
