import { describe, expect, it } from 'vitest';
import { createManualClock } from '#common/clock';
import { createFailureWatch, FAILING_REPORT_INTERVAL_MS } from './failure-watch';

describe('the failure watch', () => {
  it('warns when a topic starts failing, at most once a minute while it keeps failing, and when it recovers', () => {
    const clock = createManualClock(new Date('2026-12-06T10:00:00.000Z'));
    const warnings: Array<{ message: string; fields: Record<string, unknown> }> = [];
    const watch = createFailureWatch({
      clock,
      warn: (fields, message) => warnings.push({ message, fields: { ...fields } }),
    });
    const refused = { outcome: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:25' } as const;

    for (let n = 0; n < 30; n++) {
      watch.observe('email.invitation', refused);
      clock.advance(FAILING_REPORT_INTERVAL_MS / 20);
    }
    watch.observe('webhook', { outcome: 'sent' });
    watch.observe('email.invitation', { outcome: 'sent' });
    watch.observe('email.invitation', { outcome: 'sent' });

    expect(warnings.map((w) => w.message)).toEqual([
      'delivery channel failing',
      'delivery channel still failing',
      'delivery channel recovered',
    ]);
    expect(warnings[0]!.fields).toEqual({ topic: 'email.invitation', failures: 1, lastError: refused.error });
    expect(warnings[1]!.fields).toMatchObject({
      topic: 'email.invitation',
      failures: 21,
      failuresSinceLastReport: 20,
      lastError: refused.error,
    });
    expect(warnings[2]!.fields).toMatchObject({
      topic: 'email.invitation',
      failures: 30,
      failingSince: '2026-12-06T10:00:00.000Z',
    });
  });
});
