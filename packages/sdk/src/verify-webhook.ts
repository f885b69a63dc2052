import { base64ToBytes } from './base64.js';

/** Thrown when a webhook's signature, timestamp or headers do not hold: answer it with 400, act on nothing. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, either way; 300 s (five minutes), as Standard Webhooks advises. */
  readonly toleranceSeconds?: number;
  /** The clock, for tests. */
  readonly now?: () => Date;
}

type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Checks one delivery the Standard Webhooks way (standardwebhooks.com): HMAC-SHA256, keyed with the `whsec_`
 * secret's decoded bytes, over `${webhook-id}.${webhook-timestamp}.${body}`, matched against any `v1,` entry of
 * `webhook-signature`, with the timestamp within the tolerance (a replayed old delivery fails). Pass the body
 * exactly as received, before any JSON parsing. Resolves to the parsed body; rejects with WebhookVerificationError.
 */
export async function verifyWebhook(
  body: string,
  headers: HeaderBag,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<unknown> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing webhook-id, -timestamp or -signature');
  }
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError('bad webhook-timestamp');
  }
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('webhook-timestamp is outside the tolerance');
  }
  const keyBytes = base64ToBytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) continue;
    let mac: Uint8Array<ArrayBuffer>;
    try {
      mac = base64ToBytes(signature);
    } catch {
      continue;
    }
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, mac, signed)) return JSON.parse(body) as unknown;
  }
  throw new WebhookVerificationError('no webhook-signature matches');
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(bag).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}
