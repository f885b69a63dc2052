import type { MailMessage } from './mailer';

/** A message ready for SMTP DATA, and the envelope it goes in. */
export interface MimeMessage {
  readonly raw: string;
  readonly envelope: { readonly from: string; readonly to: string[] };
}

const ASCII_ADDRESS = /^[\x21-\x7e]+@[\x21-\x7e]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
// 7bit bodies: printable ASCII, tabs and line breaks only (RFC 2045 §2.7).
const SEVEN_BIT = /^[\t\r\n\x20-\x7e]*$/;
// 42 bytes of UTF-8 are 56 base64 characters: with "=?UTF-8?B?" and "?=" a word is 68, within 75 (RFC 2047 §2),
// and a line stays within 78 even behind "Subject: ".
const WORD_BYTES = 42;
const utf8 = new TextEncoder();

/** Printable ASCII folded before spaces so lines stay near 78 characters (RFC 5322 §2.2.3); unfolding gives it back. */
function fold(value: string): string {
  const [first, ...rest] = value.split(' ');
  let out = first!;
  let lineLength = out.length;
  for (const word of rest) {
    // Fold only before a word, and never leave a line of whitespace alone.
    if (word !== '' && lineLength > 0 && lineLength + 1 + word.length > 66) {
      out += `\r\n ${word}`;
      lineLength = 1 + word.length;
    } else {
      out += ` ${word}`;
      lineLength += 1 + word.length;
    }
  }
  return out;
}

/**
 * A header value: printable ASCII as it is (folded), anything else as RFC 2047 encoded words, base64
 * of UTF-8 cut between characters, one word per folded line (whitespace between encoded words is not text, §6.2).
 */
function headerText(value: string): string {
  if (PRINTABLE.test(value)) return fold(value);
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const char of value) {
    const size = utf8.encode(char).length;
    if (bytes + size > WORD_BYTES) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** `"Name" <address>` or a bare address, as fromHeader and the invitation give them; null for anything else. */
function parseMailbox(value: string): { name: string | null; address: string } | null {
  const named = /^"([^"\\]*)" <([^<>\s]+)>$/.exec(value);
  const address = named ? named[2]! : value;
  if (!ASCII_ADDRESS.test(address)) return null;
  return { name: named ? named[1]! : null, address };
}

function mailboxHeader({ name, address }: { name: string | null; address: string }): string {
  if (name === null || name === '') return address;
  return PRINTABLE.test(name) && name.length <= 60 ? `"${name}" <${address}>` : `${headerText(name)}\r\n <${address}>`;
}

// Quoted-printable (RFC 2045 §6.7): printable ASCII but "=" stays as it is, every other byte is =XX.
const QP_TOKENS = Array.from({ length: 256 }, (_, byte) =>
  (byte >= 33 && byte <= 126 && byte !== 61) || byte === 32 || byte === 9
    ? String.fromCharCode(byte)
    : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
);
// A line that needs no encoding: at most 76 of those characters, not ending in a space or tab.
const QP_PLAIN_LINE = /^(?:[\x21-\x3c\x3e-\x7e](?:[\t\x20-\x3c\x3e-\x7e]{0,74}[\x21-\x3c\x3e-\x7e])?)?$/;

// What a line cannot carry as it is: "=", controls and every byte outside ASCII; by code point, so a character's bytes
// stay together.
const QP_UNSAFE = /[^\t\x20-\x3c\x3e-\x7e]/gu;
const qpEscape = (char: string): string => {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += QP_TOKENS[byte]!;
  return out;
};

/**
 * One line of quoted-printable: within 76 characters by soft line breaks, never ending in a bare space (rule 3).
 * Escaped by one regular expression and cut by slices: an HTML part's long lines made a per-byte loop
 * most of a message's cost (bench: 170 us a message).
 */
function quotedPrintableLine(line: string): string {
  if (QP_PLAIN_LINE.test(line)) return line;
  let encoded = line.replace(QP_UNSAFE, qpEscape);
  const last = encoded.charCodeAt(encoded.length - 1);
  if (last === 32 || last === 9) encoded = `${encoded.slice(0, -1)}=${last === 32 ? '20' : '09'}`;
  let out = '';
  let start = 0;
  // A soft break ("=" at the end) keeps every line within 76, and never splits an =XX.
  while (encoded.length - start > 76) {
    let end = start + 75;
    if (encoded[end - 1] === '=') end -= 1;
    else if (encoded[end - 2] === '=') end -= 2;
    out += `${encoded.slice(start, end)}=\r\n`;
    start = end;
  }
  return out + encoded.slice(start);
}

/**
 * True when a CRLF-separated text has a line over 76 characters; a scan, where /[^\r\n]{77}/ backtracks at every
 * offset.
 */
function hasLongLine(text: string): boolean {
  for (let start = 0; ;) {
    const end = text.indexOf('\r\n', start);
    if ((end === -1 ? text.length : end) - start > 76) return true;
    if (end === -1) return false;
    start = end + 2;
  }
}

/**
 * A body part with CRLF line ends: 7bit when it is short-lined ASCII without the boundary in it,
 * else quoted-printable, which can never hold the boundary ("=_" is no QP sequence) and which
 * filters read as plainly as 7bit, unlike base64 text.
 */
function bodyPart(contentType: string, body: string, boundary: string): string {
  const text = body.replace(/\r\n?|\n/g, '\r\n');
  if (SEVEN_BIT.test(text) && !hasLongLine(text) && !text.includes(boundary)) {
    return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}`;
  }
  const encoded = text.split('\r\n').map(quotedPrintableLine).join('\r\n');
  return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${encoded}`;
}

/**
 * The MIME message for one email, built directly: multipart/alternative with the text part first and
 * the HTML part last, the preferred one (RFC 2046 §5.1.4), headers per RFC 5322. Null when an address
 * is not plain ASCII (international domains or mailboxes): those are left to nodemailer's composer.
 */
export function buildMimeMessage(message: MailMessage, date: Date): MimeMessage | null {
  const from = parseMailbox(message.from);
  const to = parseMailbox(message.to);
  const replyTo = message.replyTo === undefined ? undefined : parseMailbox(message.replyTo);
  if (!from || !to || replyTo === null || !/^<[\x21-\x3b\x3d\x3f-\x7e]+>$/.test(message.messageId)) return null;
  // A boundary of bcharsnospace only (RFC 2046 §5.1.1), distinct per message.
  const boundary = `=_usher_${message.messageId
    .slice(1, -1)
    .split('@')[0]!
    .replace(/[^0-9A-Za-z'()+_,\-./:=?]/g, '.')}`.slice(0, 60);
  const headers = [
    `From: ${mailboxHeader(from)}`,
    `To: ${mailboxHeader(to)}`,
    ...(replyTo ? [`Reply-To: ${mailboxHeader(replyTo)}`] : []),
    `Subject: ${headerText(message.subject)}`,
    `Message-ID: ${message.messageId}`,
    `Date: ${date.toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const raw =
    `${headers.join('\r\n')}\r\n\r\n` +
    `--${boundary}\r\n${bodyPart('text/plain', message.text, boundary)}\r\n` +
    `--${boundary}\r\n${bodyPart('text/html', message.html, boundary)}\r\n` +
    `--${boundary}--\r\n`;
  return { raw, envelope: { from: from.address, to: [to.address] } };
}
