import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids';

describe('newId', () => {
  it('makes version-7 UUIDs that carry the given millisecond', () => {
    const id = newId(Date.parse('2030-01-01T00:00:00.000Z'));
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(
      Date.parse('2030-01-01T00:00:00.000Z'),
    );
  });

  it('keeps ids in creation order within one millisecond and when the clock stands still', () => {
    const at = Date.parse('2031-05-05T00:00:00.000Z');
    const ids = Array.from({ length: 5000 }, () => newId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
