/**
 * The addresses the DataTrails surface accepts: every RFC 5322 §3.4.1 addr-spec, which is what
 * its swagger's plain `string` email (example `bob@job`) lets through. Usher's native rule wants
 * a dotted domain; DataTrails clients send dotless ones (a tenancy's internal mail host), so
 * this surface keeps the RFC's wider grammar rather than the core's.
 */

// RFC 5322 §3.2.3 atext, plus RFC 6532 §3.2 UTF8-non-ascii (internationalized addresses) less the C1 controls.
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u00A0-\\u{10FFFF}]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
// §3.2.4 quoted-string without CFWS: qtext, quoted-pair, and the spaces FWS leaves once unfolded.
const QUOTED = '"(?:[\\x20\\t\\x21\\x23-\\x5B\\x5D-\\x7E\\u00A0-\\u{10FFFF}]|\\\\[\\x20\\t\\x21-\\x7E])*"';
// §3.4.1 domain-literal without CFWS: dtext and unfolded spaces between brackets.
const LITERAL = '\\[[\\x20\\t\\x21-\\x5A\\x5E-\\x7E\\u00A0-\\u{10FFFF}]*\\]';

const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|${LITERAL})$`, 'u');

/**
 * Whether `value` is an RFC 5322 addr-spec (local-part "@" domain), without comments, folding
 * or the obsolete forms of §4. No CR, LF or other control character can pass, so an accepted
 * address is safe in a mail header.
 */
export function isAddrSpec(value: string): boolean {
  return ADDR_SPEC.test(value);
}
