/**
 * The resolved DID document (DID Core §5) as Usher reads it, and which raw key is behind one of its
 * verification methods. Where DIDComm v1 messages go is in document-services.ts.
 */
import { decodeBase58, decodeBase64Url, decodeMultikey, type KeyType, type TypedKey } from './encoding';
import { didcommError } from './errors';

/** A verification method; the key is in one of the three usual representations. */
export interface VerificationMethod {
  readonly id: string;
  readonly type: string;
  readonly controller: string;
  readonly publicKeyMultibase?: string;
  readonly publicKeyBase58?: string;
  readonly publicKeyJwk?: Readonly<Record<string, unknown>>;
}

/** A verification relationship entry: a reference (`#key-1`, `did:…#key-1`) or an embedded method. */
export type VerificationReference = string | VerificationMethod;

/** A service entry; `serviceEndpoint` is a URI string or a DIDComm v2 `{ uri, accept, routingKeys }` object. */
export interface DidService {
  readonly id: string;
  readonly type: string;
  readonly serviceEndpoint: unknown;
  readonly [property: string]: unknown;
}

/** A DID document with every relationship and `service` present (empty when the DID has none). */
export interface DidDocument {
  readonly '@context'?: unknown;
  readonly id: string;
  readonly alsoKnownAs?: readonly string[];
  readonly verificationMethod: readonly VerificationMethod[];
  readonly authentication: readonly VerificationReference[];
  readonly assertionMethod: readonly VerificationReference[];
  readonly keyAgreement: readonly VerificationReference[];
  readonly capabilityInvocation: readonly VerificationReference[];
  readonly capabilityDelegation: readonly VerificationReference[];
  readonly service: readonly DidService[];
}

const RELATIONSHIPS = [
  'authentication',
  'assertionMethod',
  'keyAgreement',
  'capabilityInvocation',
  'capabilityDelegation',
] as const;

/** Checks the shape of a decoded document and fills absent relationships with empty lists. */
export function normalizeDocument(json: Record<string, unknown>): DidDocument {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const isMethod = (value: unknown): value is VerificationMethod =>
    isRecord(value) && typeof value.id === 'string' && typeof value.type === 'string';
  const isReference = (value: unknown) => typeof value === 'string' || isMethod(value);
  const document = {
    ...json,
    verificationMethod: list(json.verificationMethod),
    ...Object.fromEntries(RELATIONSHIPS.map((name) => [name, list(json[name])])),
    service: list(json.service),
  } as unknown as DidDocument;
  const wellFormed =
    typeof document.id === 'string' &&
    document.verificationMethod.every(isMethod) &&
    RELATIONSHIPS.every((name) => document[name].every(isReference)) &&
    document.service.every((s) => isRecord(s) && typeof s.id === 'string' && typeof s.type === 'string');
  if (!wellFormed) throw didcommError('did_malformed', 'The DID document has malformed methods or services');
  return document;
}

/** The verification method a reference points to, relative (`#key-1`) or absolute; null when absent. */
export function findVerificationMethod(document: DidDocument, reference: string): VerificationMethod | null {
  const absolute = (id: string) => (id.startsWith('#') ? `${document.id}${id}` : id);
  const wanted = absolute(reference);
  const embedded = RELATIONSHIPS.flatMap((name) => document[name]).filter(
    (entry): entry is VerificationMethod => typeof entry !== 'string',
  );
  return [...document.verificationMethod, ...embedded].find((method) => absolute(method.id) === wanted) ?? null;
}

/** The raw key of a verification method, from multibase, base58 or an OKP JWK; null when unreadable. */
export function verificationMethodKey(method: VerificationMethod): TypedKey | null {
  const typeHint: KeyType | null = /^Ed25519/.test(method.type)
    ? 'Ed25519'
    : /^X25519/.test(method.type)
      ? 'X25519'
      : null;
  const raw = (bytes: Uint8Array): TypedKey | null =>
    typeHint && bytes.length === 32 ? { type: typeHint, publicKey: bytes } : null;
  try {
    if (method.publicKeyMultibase) {
      // Multikey and the 2020 suites carry a multicodec prefix; early peer-did libraries did not.
      return decodeMultikey(method.publicKeyMultibase) ?? raw(decodeBase58(method.publicKeyMultibase.slice(1)));
    }
    if (method.publicKeyBase58) return raw(decodeBase58(method.publicKeyBase58));
    const jwk = method.publicKeyJwk;
    if (jwk?.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'X25519') && typeof jwk.x === 'string') {
      const publicKey = decodeBase64Url(jwk.x);
      return publicKey.length === 32 ? { type: jwk.crv, publicKey } : null;
    }
  } catch {
    return null;
  }
  return null;
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
