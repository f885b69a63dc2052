/**
 * The sender's own limit, for the drain phase: the same SMTP client as Usher's worker (its
 * createSmtpMailer, pool and defaults) sending the same kind of email with the same number of
 * sends in flight, but no database and no templates at send time: every message is rendered
 * before the clock starts. Run as a child of the bench, like the worker, into its own SMTP sink;
 * it prints one JSON line when done: how many were sent and the CPU it spent sending them, after
 * the first BARE_WARMUP (sent first and not counted, as the drain leaves out the worker's first).
 *
 * env: BARE_SMTP_URL, BARE_EMAILS, BARE_WARMUP (0 when unset), BARE_CONCURRENCY (the worker's default when unset).
 */
import { randomBytes } from 'node:crypto';
import { createSmtpMailer } from '../src/delivery/email/smtp-mailer';
import { renderEmail } from '../src/delivery/email/templates';
import type { MailMessage } from '../src/delivery/email/mailer';
import { DEFAULT_CONCURRENCY } from '../src/delivery/worker';

const url = process.env.BARE_SMTP_URL ?? '';
const warmup = Number(process.env.BARE_WARMUP ?? 0);
const emails = warmup + Number(process.env.BARE_EMAILS ?? 1000);
const concurrency = Number(process.env.BARE_CONCURRENCY ?? DEFAULT_CONCURRENCY);

// The drain's invitations as the worker renders them: the bench tenant, a role, a fresh 43-character link each.
const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
const messages: MailMessage[] = Array.from({ length: emails }, (_, n) => {
  const email = renderEmail('invitation', 'en', {
    tenantName: 'Bench',
    brandColor: '#4f46e5',
    logoUrl: null,
    inviterName: 'Bench',
    targetName: 'Bench',
    role: 'member',
    rules: [],
    message: null,
    recipientName: `Person ${n}`,
    expiresAt,
    acceptUrl: `http://127.0.0.1:3000/i/${randomBytes(32).toString('base64url')}`,
  });
  return {
    messageId: `<bare-${n}@127.0.0.1>`,
    from: '"Bench" <no-reply@usher.invalid>',
    to: `drain-${n}@example.org`,
    subject: email.subject,
    text: email.text,
    html: email.html,
  };
});

const mailer = createSmtpMailer(url);
process.stdout.write(`bare sender ready (${emails} emails, ${concurrency} in flight)\n`);
let next = 0;
let sent = 0;
// The same lanes for the warm-up and the timed messages: `concurrency` sends in flight throughout.
async function sendUpTo(end: number): Promise<void> {
  await Promise.all(
    Array.from({ length: Math.min(concurrency, end - next) }, async () => {
      while (next < end) {
        const n = next++;
        const result = await mailer.send(messages[n]!, { tenantId: 'bench', outboxId: String(n) });
        if (result.accepted && n >= warmup) sent += 1;
      }
    }),
  );
}
await sendUpTo(warmup);
const cpuAtStart = process.cpuUsage();
await sendUpTo(emails);
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(`${JSON.stringify({ sent, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
await mailer.close();
process.exit(0);
