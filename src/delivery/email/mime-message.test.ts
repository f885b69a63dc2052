import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { MailMessage } from './mailer';
import { buildMimeMessage } from './mime-message';
import { renderEmail } from './templates';

const date = new Date('2026-11-26T10:00:00.000Z');

function rendered(locale: string, tenantName: string, message: string | null): MailMessage {
  const email = renderEmail('invitation', locale, {
    tenantName,
    brandColor: '#0ea5e9',
    logoUrl: null,
    inviterName: 'Zoë Dupré',
    targetName: 'Projet Éclair',
    role: 'editor',
    rules: ['read', 'write'],
    message,
    recipientName: 'Ann',
    expiresAt: '2026-12-03T10:00:00.000Z',
    acceptUrl: `https://usher.test/i/${'a'.repeat(43)}`,
  });
  return {
    messageId: '<0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@usher.test>',
    from: `"${tenantName}" <no-reply@usher.test>`,
    to: 'ann@example.com',
    subject: email.subject,
    text: email.text,
    html: email.html,
  };
}

async function parse(message: MailMessage) {
  const mime = buildMimeMessage(message, date);
  expect(mime).not.toBeNull();
  return { mime: mime!, parsed: await simpleParser(mime!.raw) };
}

describe('the MIME message built for an email', () => {
  it('reads back, through an independent parser, as the headers and both parts it was given', async () => {
    const message = rendered('en', 'Acme', 'Welcome aboard.\nSee you soon.');
    const { mime, parsed } = await parse(message);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@usher.test', name: 'Acme' }]);
    expect(parsed.to && 'value' in parsed.to ? parsed.to.value : null).toEqual([
      { address: 'ann@example.com', name: '' },
    ]);
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(mime.envelope).toEqual({ from: 'no-reply@usher.test', to: ['ann@example.com'] });
    // Text in base64 reads to spam filters as something hidden: quoted-printable or 7bit only.
    expect(mime.raw).toMatch(/Content-Transfer-Encoding: (quoted-printable|7bit)/);
    expect(mime.raw).not.toContain('base64');
    expect(mime.raw).toMatch(/^Content-Type: multipart\/alternative;\r\n boundary="[^"]+"$/m);
  });

  it('encodes non-ASCII names, subjects and bodies, and keeps every line short', async () => {
    const message = rendered(
      'fr',
      'Café Crème — Société Générale des Invitations Très Longues',
      'Bienvenue à bord, chère équipe !',
    );
    const { mime, parsed } = await parse(message);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.subject).toContain('vous invite');
    expect(parsed.from?.value[0]?.name).toBe('Café Crème — Société Générale des Invitations Très Longues');
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    for (const line of mime.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(mime.raw).not.toMatch(/[^\x00-\x7f]/);
  });

  it('folds a long ASCII subject and gives it back whole', async () => {
    const subject = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const { mime, parsed } = await parse({ ...rendered('en', 'Acme', null), subject });
    expect(parsed.subject).toBe(subject);
    const headerLines = mime.raw.slice(0, mime.raw.indexOf('\r\n\r\n')).split('\r\n');
    for (const line of headerLines) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('keeps a body that holds its own boundary or lone dots intact', async () => {
    const base = rendered('en', 'Acme', null);
    const boundary = /boundary="([^"]+)"/.exec(buildMimeMessage(base, date)!.raw)![1]!;
    const text = `.\n..leading dots\n--${boundary}--\nend`;
    const { parsed } = await parse({ ...base, text });
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(text);
    expect(parsed.html).toBe(base.html);
  });

  it('gives back long lines of "=", multi-byte characters and trailing blanks exactly, cut within 76 characters', async () => {
    const base = rendered('en', 'Acme', null);
    // Lengths around the 75/76 limits, each ending in a different awkward character.
    const pieces = ['a=b', 'é', '😀', ' ', '\t', 'x'.repeat(7), '='];
    const lines = Array.from(
      { length: 60 },
      (_, n) =>
        `${Array.from({ length: 10 + n * 3 }, (_, i) => pieces[(i * 7 + n) % pieces.length]).join('')}${n % 3 === 0 ? ' ' : n % 3 === 1 ? '\t' : '='}`,
    );
    // And escapes that start on each of the last columns of a cut line.
    for (let column = 70; column <= 77; column += 1)
      lines.push(`${'a'.repeat(column)}${'='.repeat(30)}`, `${'b'.repeat(column)}${'é'.repeat(30)}`);
    const text = lines.join('\n');
    const html = `<p style="color:#111">${lines.join('')}</p>`;
    const { mime, parsed } = await parse({ ...base, text, html });
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(text);
    expect(parsed.html).toBe(html);
    const body = mime.raw.slice(mime.raw.indexOf('\r\n\r\n') + 4);
    for (const line of body.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76);
      expect(line).not.toMatch(/[ \t]$/);
      // A line ending in "=" ends in a soft break (escapes end in hex digits); before it, no escape is cut.
      expect(line.endsWith('=') ? line.slice(0, -1) : line).not.toMatch(/=[0-9A-F]?$/);
    }
  });

  it('leaves international addresses to the general composer', () => {
    const base = rendered('en', 'Acme', null);
    expect(buildMimeMessage({ ...base, to: 'ann@bücher.example' }, date)).toBeNull();
    expect(buildMimeMessage({ ...base, from: '"Acme" <ré@usher.test>' }, date)).toBeNull();
  });
});
