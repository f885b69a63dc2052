import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { errorMessage } from '#common/errors';
import { refusedAddressReason } from './address-policy';

/** How much of a receiver's answer is kept for the delivery log. */
export const RESPONSE_BODY_LIMIT = 2048;

/** What one POST came to. Delivery failures are results here, never exceptions. */
export interface WebhookResponse {
  /** True for a 2xx answer. */
  readonly ok: boolean;
  /** The HTTP status, or null when no answer came (refused, unreachable, timeout). */
  readonly status: number | null;
  /** The start of the response body, at most RESPONSE_BODY_LIMIT bytes. */
  readonly body: string;
  /** Why there was no usable answer; null when the status says it all. */
  readonly error: string | null;
}

/** Options for postWebhook. */
export interface PostWebhookOptions {
  /** The whole exchange (DNS, connect, response) must finish within this. */
  readonly timeoutMs: number;
  /** Lets the request reach loopback and private addresses (tests, local setups). */
  readonly allowPrivateNetwork: boolean;
  /** How much of the response body to read; RESPONSE_BODY_LIMIT by default (DIDComm pickups read whole envelopes). */
  readonly responseBodyLimit?: number;
}

/** A connection the address policy refused. */
class RefusedAddressError extends Error {}

/**
 * POSTs a webhook body. Refuses non-http(s) URLs, URLs with credentials and, unless allowed,
 * any non-public address — judged on the address actually resolved and connected to, so a
 * hostname that re-resolves to an internal address (DNS rebinding) is caught too. Never
 * follows redirects: a 3xx is a failed delivery.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostWebhookOptions,
): Promise<WebhookResponse> {
  const target = checkTarget(url, options.allowPrivateNetwork);
  if (typeof target === 'string') return Promise.resolve(noAnswer(target));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let status: number | null = null;
    let location: string | undefined;
    let settled = false;
    const limit = options.responseBodyLimit ?? RESPONSE_BODY_LIMIT;
    const answer = () => answered(status!, Buffer.concat(chunks).subarray(0, limit).toString('utf8'), location);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let request: ClientRequest;
    try {
      request = send(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...lowerCaseKeys(headers),
          'content-length': String(Buffer.byteLength(body)),
        },
        // A fresh connection per delivery: a pooled socket would skip the address check.
        agent: false,
        ...(options.allowPrivateNetwork ? {} : { lookup: publicOnlyLookup }),
      });
    } catch (error) {
      // Node throws synchronously for a header value it cannot send; that is still only a failed delivery.
      return resolve(noAnswer(errorMessage(error)));
    }
    const finish = (result: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Once the status and the start of the body are in, the rest is not worth waiting for.
      request.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(status === null ? noAnswer(`timeout after ${options.timeoutMs}ms`) : answer()),
      options.timeoutMs,
    );
    request.on('response', (response) => {
      status = response.statusCode ?? null;
      location = response.headers.location;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= limit) finish(answer());
      });
      response.on('end', () => finish(answer()));
      // Cut off mid-body: the status already tells how the delivery went.
      response.on('error', () => finish(answer()));
    });
    if (!options.allowPrivateNetwork)
      request.on('socket', (socket) => socket.once('connect', () => checkConnected(socket, request)));
    request.on('error', (error) => finish(status === null ? noAnswer(error.message || String(error)) : answer()));
    request.end(body);
  });
}

/** The parsed URL, or why it may not be posted to. IP literals are judged here: Node skips `lookup` for them. */
function checkTarget(url: string, allowPrivateNetwork: boolean): URL | string {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'refused: not a valid URL';
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return `refused: only http and https URLs may be posted to, not ${target.protocol}`;
  if (target.username !== '' || target.password !== '') return 'refused: URLs with credentials are not allowed';
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!allowPrivateNetwork && isIP(host) !== 0) {
    const reason = refusedAddressReason(host);
    if (reason) return refusal(host, reason);
  }
  return target;
}

/** Resolves like dns.lookup but hands the socket only public addresses to connect to. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => refusedAddressReason(a.address) === null);
    if (allowed.length === 0) {
      const first = addresses[0];
      const reason = first
        ? refusal(`${hostname} (${first.address})`, refusedAddressReason(first.address)!)
        : `refused: ${hostname} has no address`;
      return callback(new RefusedAddressError(reason), '', 0);
    }
    if (options.all) return callback(null, allowed);
    return callback(null, allowed[0]!.address, allowed[0]!.family);
  });
};

/** A last check on the peer of an open socket, in case anything connected around the lookup. */
function checkConnected(socket: Socket, request: ClientRequest): void {
  const address = socket.remoteAddress ?? '';
  const reason = refusedAddressReason(address);
  if (reason) request.destroy(new RefusedAddressError(refusal(address, reason)));
}

function refusal(host: string, reason: string): string {
  return `refused: ${host} is a ${reason} address, and private network addresses are not allowed`;
}

function answered(status: number, body: string, location: string | undefined): WebhookResponse {
  const ok = status >= 200 && status < 300;
  const redirect = status >= 300 && status < 400 ? `redirect${location ? ` to ${location}` : ''} not followed` : null;
  return { ok, status, body, error: redirect };
}

function noAnswer(error: string): WebhookResponse {
  return { ok: false, status: null, body: '', error };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
