import { base64ToBytes } from './base64.js';

/** Thrown when an acceptance token is malformed, badly signed, expired, or for another audience. */
export class AcceptanceTokenError extends Error {
  override readonly name = 'AcceptanceTokenError';
}

/** The claims Usher signs into an acceptance token (see the API docs); unknown ones pass through. */
export interface AcceptanceTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** The accepted invitation's id; also POSTed beside the token as `invitation_id`. */
  readonly invitation: string;
  readonly tenant: string;
  readonly redemption: string;
  readonly membership: string | null;
  readonly target: { readonly type: string; readonly iri: string | null; readonly name: string | null };
  readonly role: string | null;
  readonly rules: readonly string[];
  readonly recipient: {
    readonly key: string;
    readonly email: string | null;
    readonly did: string | null;
    readonly actorIri: string | null;
    readonly subject: string | null;
    readonly name: string | null;
  };
  /**
   * Who sent the invitation: the host application's user named at create (`invitedBy`), else the inviting
   * identity's display name with id and email null; null on invitations made before senders were recorded.
   */
  readonly invited_by: { readonly id: string | null; readonly name: string; readonly email: string | null } | null;
  readonly [claim: string]: unknown;
}

export interface VerifyAcceptanceTokenOptions {
  /** The tenant id the token must be for (its `aud`): a host app accepts only its own tenant's tokens. */
  readonly audience: string;
  /** Usher's public keys as `GET /.well-known/jwks.json` serves them... */
  readonly jwks?: { readonly keys: readonly JsonWebKey[] };
  /** ...or where to fetch them, e.g. `https://usher.example.com/.well-known/jwks.json`. */
  readonly url?: string;
  /** If given, the `iss` the token must carry (Usher's public URL). */
  readonly issuer?: string;
  /** Seconds of clock skew allowed on `exp` and `nbf`; 0 by default. */
  readonly clockToleranceSeconds?: number;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/**
 * Verifies an acceptance token (compact JWS, EdDSA over Ed25519, `kid` naming a key of Usher's JWKS) with
 * WebCrypto, so the SDK needs no JOSE library; resolves to its claims once signature, `aud`, `exp`, `nbf` (and
 * `iss` if asked) hold.
 */
export async function verifyAcceptanceToken(
  token: string,
  options: VerifyAcceptanceTokenOptions,
): Promise<AcceptanceTokenClaims> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AcceptanceTokenError('not a compact JWS');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader) as { alg?: unknown; kid?: unknown };
  if (header.alg !== 'EdDSA') throw new AcceptanceTokenError(`unexpected alg ${String(header.alg)}`);
  const jwk = (await keysOf(options)).find(
    (key) => key.kty === 'OKP' && key.crv === 'Ed25519' && (key as { kid?: unknown }).kid === header.kid,
  );
  if (!jwk) throw new AcceptanceTokenError(`no Ed25519 key with kid ${String(header.kid)}`);
  const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const key = await crypto.subtle.importKey('jwk', publicJwk, { name: 'Ed25519' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${encodedHeader}.${encodedPayload}`);
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, key, base64ToBytes(encodedSignature), signed))) {
    throw new AcceptanceTokenError('bad signature');
  }
  const claims = decodeJson(encodedPayload) as AcceptanceTokenClaims;
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const skew = options.clockToleranceSeconds ?? 0;
  const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience)) throw new AcceptanceTokenError('token is for another audience');
  if (options.issuer !== undefined && claims.iss !== options.issuer) {
    throw new AcceptanceTokenError('unexpected issuer');
  }
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) throw new AcceptanceTokenError('token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf - skew > now) {
    throw new AcceptanceTokenError('token is not yet valid');
  }
  return claims;
}

async function keysOf(options: VerifyAcceptanceTokenOptions): Promise<readonly JsonWebKey[]> {
  if (options.jwks) return options.jwks.keys;
  if (!options.url) throw new TypeError('verifyAcceptanceToken needs jwks or url');
  const response = await (options.fetch ?? fetch)(options.url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new AcceptanceTokenError(`fetching ${options.url}: HTTP ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  return Array.isArray(body.keys) ? (body.keys as JsonWebKey[]) : [];
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64ToBytes(part)));
  } catch {
    throw new AcceptanceTokenError('malformed token');
  }
}
