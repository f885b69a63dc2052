/** One column of a table: its header and how to read a row's cell (null and undefined show as "-"). */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | null | undefined;
}

/** Styling for terminals; plain text when colours are off. */
export interface TableStyle {
  readonly color: boolean;
}

const bold = (text: string, style: TableStyle) => (style.color ? `\u001b[1m${text}\u001b[22m` : text);
const cell = (value: string | number | boolean | null | undefined) =>
  value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');

/** Rows under a header, each column padded to its widest cell; "(none)" for no rows. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], style: TableStyle): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  // Padding is computed on plain text, then the header is styled, so escape codes never skew the columns.
  const pad = (values: readonly string[]) =>
    values.map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]!))).join('  ');
  const header = bold(pad(columns.map((column) => column.header.toUpperCase())), style);
  return `${[header, ...cells.map(pad)].join('\n')}\n`;
}

/** One record as "label  value" lines, the labels aligned. */
export function renderRecord(
  fields: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>,
  style: TableStyle,
): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return `${fields.map(([label, value]) => `${bold(label.padEnd(width), style)}  ${cell(value)}`).join('\n')}\n`;
}
