/**
 * The provider's HTTP client: one JSON request over node:http(s), under the webhooks' address
 * policy (no loopback or private addresses unless allowed, judged on the address connected to),
 * no redirects, a time limit and a cap on the body read. Failures are results, not exceptions.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddressReason } from '#delivery';
import { errorMessage } from '#common/errors';

/** What came back: a status and the body, or why nothing did. */
export type HttpResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  /** `refused`: the address policy stopped it before anything was sent; trying again cannot help. */
  | { readonly ok: false; readonly error: string; readonly refused?: boolean };

/** Options for one request. */
export interface HttpOptions {
  readonly timeoutMs: number;
  readonly allowPrivateNetwork: boolean;
  /** Bytes of body kept; the rest is cut off. 1 MiB by default. */
  readonly maxBytes?: number;
}

/** A connection the address policy stopped. */
class RefusedAddress extends Error {}

const refuse = (what: string, reason: string) =>
  new RefusedAddress(`refused: ${what} is a ${reason} address, and private network addresses are not allowed`);

/** dns.lookup that hands the socket public addresses only. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => refusedAddressReason(a.address) === null);
    if (allowed.length === 0)
      return callback(refuse(hostname, refusedAddressReason(addresses[0]?.address ?? '') ?? 'unknown'), '', 0);
    if (options.all) return callback(null, allowed);
    return callback(null, allowed[0]!.address, allowed[0]!.family);
  });
};

/**
 * Why the address policy refuses `url` by its host alone, before any lookup: an IP literal in a
 * refused range, or a name that is loopback by definition (localhost, RFC 6761); null otherwise.
 * A name whose DNS answer is private is only known when connecting.
 */
export function refusedHostReason(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const reason = refusedAddressReason(host);
    return reason ? refuse(host, reason).message : null;
  }
  return /(^|\.)localhost\.?$/i.test(host) ? refuse(host, 'loopback').message : null;
}

/** Sends one request with a JSON body (or none) and reads the answer as text. */
export function requestJson(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  options: HttpOptions,
): Promise<HttpResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, error: 'refused: not a valid URL', refused: true });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.resolve({ ok: false, error: `refused: ${target.protocol} is not http(s)`, refused: true });
  // Node skips `lookup` for IP literals, so they are judged here.
  const literal = options.allowPrivateNetwork ? null : refusedHostReason(target);
  if (literal) return Promise.resolve({ ok: false, error: literal, refused: true });
  const text = body === undefined ? undefined : JSON.stringify(body);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let request: ClientRequest;
    try {
      request = send(target, {
        method,
        headers: {
          accept: 'application/json',
          ...(text !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }
            : {}),
          ...headers,
        },
        // A fresh connection per request: a pooled socket would skip the address check.
        agent: false,
        ...(options.allowPrivateNetwork ? {} : { lookup: publicOnlyLookup }),
      });
    } catch (error) {
      // Node throws at once for a header value it cannot send.
      return resolve({ ok: false, error: errorMessage(error) });
    }
    const timer = setTimeout(
      () => finish({ ok: false, error: `timeout after ${options.timeoutMs}ms` }),
      options.timeoutMs,
    );
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const answer = () => {
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (typeof value === 'string') responseHeaders[name] = value;
        finish({
          ok: true,
          status: response.statusCode ?? 0,
          headers: responseHeaders,
          body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'),
        });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (received >= maxBytes) answer();
      });
      response.on('end', answer);
      response.on('error', answer);
    });
    if (!options.allowPrivateNetwork) {
      request.on('socket', (socket) =>
        socket.once('connect', () => {
          const reason = refusedAddressReason(socket.remoteAddress ?? '');
          if (reason) request.destroy(refuse(socket.remoteAddress ?? '', reason));
        }),
      );
    }
    request.on('error', (error) =>
      finish({
        ok: false,
        error: error.message || String(error),
        ...(error instanceof RefusedAddress ? { refused: true } : {}),
      }),
    );
    request.end(text);
  });
}
