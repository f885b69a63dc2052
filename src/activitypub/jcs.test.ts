import { describe, expect, it } from 'vitest';
import { canonicalize } from './jcs';
import { doubleOf, RFC8785_NUMBERS, RFC8785_VECTORS } from '../../test/fixtures/vectors/rfc8785';

describe('JSON canonicalization (RFC 8785)', () => {
  it("gives the RFC author's test vectors byte for byte", () => {
    for (const vector of RFC8785_VECTORS) expect(canonicalize(vector.input), vector.name).toBe(vector.output);
  });

  it('writes every number of RFC 8785 Appendix B as the RFC does, and refuses its NaN and Infinity', () => {
    for (const [bits, text] of RFC8785_NUMBERS) {
      if (text === null) expect(() => canonicalize(doubleOf(bits)), bits).toThrow();
      else expect(canonicalize(doubleOf(bits)), bits).toBe(text);
    }
  });

  it("sorts properties by UTF-16 code units at every depth (§3.2.3): an emoji's surrogates sort below U+FB33", () => {
    const names = { '\ufb33': 1, '\u{1F600}': 2, '\u20ac': 3, '\u00f6': 4, '\u0080': 5, '1': 6, '\r': 7 };
    expect(canonicalize(names)).toBe('{"\\r":7,"1":6,"\u0080":5,"ö":4,"€":3,"😀":2,"דּ":1}');
    expect(canonicalize({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('writes numbers as ECMAScript does (§3.2.2.3) and refuses what I-JSON excludes', () => {
    // RFC 8785's own example: the literal is written past double precision on purpose.
    // eslint-disable-next-line no-loss-of-precision
    const numbers = [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0];
    expect(canonicalize(numbers)).toBe('[333333333.3333333,1e+30,4.5,0.002,1e-27,0]');
    expect(() => canonicalize(Number.NaN)).toThrow();
    expect(() => canonicalize({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalize('\ud800')).toThrow();
    expect(() => canonicalize({ '\udc00': 1 })).toThrow();
    expect(() => canonicalize(undefined)).toThrow(TypeError);
  });
});
