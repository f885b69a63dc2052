/**
 * One CSV line (RFC 4180): fields with a comma, quote, line break or edge space are quoted, quotes doubled; null is
 * empty.
 */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // No spreadsheet-formula escaping: it would change the data, and an export must import back as it was.
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
