/**
 * Usher's own RFC 8785 canonicalization as it stood before the `canonicalize` package replaced it
 * (src/activitypub/jcs.ts until 2026-12-06), kept so bench/micro/jcs.ts can repeat the comparison.
 * ECMAScript's JSON serialization of strings, numbers and literals is what the RFC builds on (§3.2.2),
 * so only the property order (§3.2.3) and the refusal of what I-JSON excludes were ours.
 */
export function canonicalizeHandWritten(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') return string(value);
  if (typeof value === 'number') {
    // §3.2.2.3: numbers are IEEE 754 doubles serialized as ECMAScript does; NaN and Infinity are not JSON.
    if (!Number.isFinite(value)) throw new TypeError('RFC 8785 has no form for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalizeHandWritten).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // §3.2.3: properties sorted by their names' UTF-16 code units, which is what Array#sort compares by default.
    const names = Object.keys(record)
      .filter((name) => record[name] !== undefined)
      .sort();
    return `{${names.map((name) => `${string(name)}:${canonicalizeHandWritten(record[name])}`).join(',')}}`;
  }
  throw new TypeError(`RFC 8785 has no form for a ${typeof value}`);
}

// §3.2.2.2, and §3.1: I-JSON (RFC 7493 §2.1) excludes lone surrogates, which JSON.stringify would escape instead.
function string(value: string): string {
  if (/\p{Cs}/u.test(value)) throw new TypeError('RFC 8785 has no form for a string with a lone surrogate');
  return JSON.stringify(value);
}
