import { describe, expect, it } from 'vitest';
import { createRetryPolicy } from './retry-policy';

describe('createRetryPolicy', () => {
  const middle = () => 0.5;

  it('starts at one second and doubles', () => {
    const policy = createRetryPolicy();
    expect([1, 2, 3, 4, 5].map((n) => policy(n, middle))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('caps each delay and gives up after the last attempt', () => {
    const policy = createRetryPolicy({ maxDelayMs: 5000, maxAttempts: 6 });
    expect([4, 5].map((n) => policy(n, middle))).toEqual([5000, 5000]);
    expect(policy(6, middle)).toBeNull();
  });

  it('spreads delays by the jitter share, never below zero', () => {
    const policy = createRetryPolicy({ jitter: 0.2 });
    expect(policy(3, () => 0)).toBe(3200);
    expect(policy(3, () => 1)).toBe(4800);
    expect(createRetryPolicy({ jitter: 1 })(1, () => 0)).toBe(0);
  });
});
