/**
 * The JSON Canonicalization Scheme (RFC 8785), which eddsa-jcs-2022 hashes: the `canonicalize` package by the
 * RFC's co-author. It replaced a hand-written one on 2026-12-06, with the same output on the RFC's vectors and
 * half its CPU (docs/benchmarks.md, "Libraries or our own code").
 */
import jcs from 'canonicalize';

/** The canonical JSON text of a JSON value; throws on what JSON cannot carry (NaN, Infinity, lone surrogates). */
export function canonicalize(value: unknown): string {
  const text = jcs(value);
  // The package, like JSON.stringify, gives nothing for undefined or a function: there is nothing to hash.
  if (text === undefined) throw new TypeError(`RFC 8785 has no form for a ${typeof value}`);
  return text;
}
