/**
 * The two signatures a handshake response carries, both made with the invitation's key so the
 * requester knows the response comes from whoever issued the invitation:
 * - DID Exchange: a JWS on an attachment (Aries RFC 0017 §Signing attachments; RFC 0023
 *   `did_doc~attach` and, in 1.1, `did_rotate~attach`).
 * - Connections 1.0: the `connection~sig` field decorator (RFC 0234, `ed25519Sha512_single`).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { randomUUID } from 'node:crypto';
import { ed25519Seed, type Ed25519KeyPair } from './crypto-box';
import { verkeyToDidKey } from './dids';
import { decodeBase58, decodeBase64Url, encodeBase58, encodeBase64Url, fromUtf8, utf8 } from './encoding';
import { didcommError } from './errors';

/** An RFC 0017 attachment with inline base64 data, optionally signed. */
export interface Attachment {
  readonly '@id': string;
  readonly 'mime-type'?: string;
  readonly data: {
    readonly base64: string;
    readonly jws?: {
      readonly header?: { readonly kid?: string };
      readonly protected: string;
      readonly signature: string;
    };
  };
}

const SIGNATURE_TYPE = 'https://didcomm.org/signature/1.0/ed25519Sha512_single';

/** An attachment of `content` (JSON value or text), signed EdDSA by `key` when given. */
export function attach(content: unknown, mimeType: string, key?: Ed25519KeyPair): Attachment {
  const bytes = utf8(typeof content === 'string' ? content : JSON.stringify(content));
  const base64 = encodeBase64Url(bytes);
  if (!key) return { '@id': randomUUID(), 'mime-type': mimeType, data: { base64 } };
  const kid = verkeyToDidKey(encodeBase58(key.publicKey));
  const header = { alg: 'EdDSA', kid, jwk: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(key.publicKey), kid } };
  const protectedText = encodeBase64Url(utf8(JSON.stringify(header)));
  const signature = ed25519.sign(utf8(`${protectedText}.${base64}`), ed25519Seed(key.secretKey));
  return {
    '@id': randomUUID(),
    'mime-type': mimeType,
    data: { base64, jws: { header: { kid }, protected: protectedText, signature: encodeBase64Url(signature) } },
  };
}

/**
 * The attachment's content as text, after checking its JWS was made by `verkey` (base58).
 * The signing input re-encodes the payload as unpadded base64url, as RFC 7515 does: some agents
 * put standard base64 in `data.base64` and sign its base64url form.
 */
export function openSignedAttachment(attachment: unknown, verkey: string, field: string): string {
  const data = (attachment as { data?: Attachment['data'] } | null)?.data;
  if (!data || typeof data.base64 !== 'string')
    throw didcommError('message_malformed', `${field} has no base64 data`, field);
  const payload = decodeBytes(data.base64, field);
  const jws = data.jws;
  if (!jws || typeof jws.protected !== 'string' || typeof jws.signature !== 'string')
    throw didcommError('signature_invalid', `${field} is not signed`, field);
  let header: { alg?: unknown; jwk?: { x?: unknown }; kid?: unknown };
  try {
    header = JSON.parse(fromUtf8(decodeBase64Url(jws.protected)));
  } catch {
    throw didcommError('signature_invalid', `${field} has an unreadable JWS header`, field);
  }
  if (header.alg !== 'EdDSA') throw didcommError('signature_invalid', `${field} is not signed with EdDSA`, field);
  const expected = decodeBase58(verkey);
  const signer =
    typeof header.jwk?.x === 'string' ? decodeBytes(header.jwk.x, field) : signerFromKid(jws.header?.kid ?? header.kid);
  if (!signer || encodeBase58(signer) !== verkey)
    throw didcommError('signature_invalid', `${field} was not signed with the invitation's key`, field);
  const input = utf8(`${jws.protected}.${encodeBase64Url(payload)}`);
  if (!safeVerify(decodeBytes(jws.signature, field), input, expected))
    throw didcommError('signature_invalid', `${field} signature does not verify`, field);
  try {
    return fromUtf8(payload);
  } catch {
    throw didcommError('message_malformed', `${field} is not UTF-8`, field);
  }
}

/** The content of an unsigned (or not yet checked) attachment, as text. */
export function attachmentText(attachment: unknown, field: string): string {
  const data = (attachment as { data?: { base64?: unknown; json?: unknown } } | null)?.data;
  if (data && data.json !== undefined) return JSON.stringify(data.json);
  if (!data || typeof data.base64 !== 'string')
    throw didcommError('message_malformed', `${field} has no base64 data`, field);
  try {
    return fromUtf8(decodeBytes(data.base64, field));
  } catch {
    throw didcommError('message_malformed', `${field} is not UTF-8`, field);
  }
}

/** `connection~sig`: sig_data = 8-byte big-endian Unix time ‖ JSON of the field, signed Ed25519 (RFC 0234). */
export function signField(value: unknown, key: Ed25519KeyPair, now: Date): Record<string, string> {
  const json = utf8(JSON.stringify(value));
  const data = new Uint8Array(8 + json.length);
  new DataView(data.buffer).setBigUint64(0, BigInt(Math.floor(now.getTime() / 1000)));
  data.set(json, 8);
  return {
    '@type': SIGNATURE_TYPE,
    signature: encodeBase64Url(ed25519.sign(data, ed25519Seed(key.secretKey))),
    sig_data: encodeBase64Url(data),
    signer: encodeBase58(key.publicKey),
  };
}

/** The signed field's value after checking the signature was made by `verkey` (base58). */
export function openSignedField(decorator: unknown, verkey: string, field: string): unknown {
  const sig = decorator as Record<string, unknown> | null;
  if (!sig || typeof sig.signature !== 'string' || typeof sig.sig_data !== 'string' || typeof sig.signer !== 'string') {
    throw didcommError('signature_invalid', `${field} is missing or incomplete`, field);
  }
  if (sig.signer !== verkey)
    throw didcommError('signature_invalid', `${field} was not signed with the invitation's key`, field);
  const data = decodeBytes(sig.sig_data, field);
  if (data.length < 9 || !safeVerify(decodeBytes(sig.signature, field), data, decodeBase58(verkey))) {
    throw didcommError('signature_invalid', `${field} signature does not verify`, field);
  }
  try {
    return JSON.parse(fromUtf8(data.subarray(8)));
  } catch {
    throw didcommError('message_malformed', `${field} does not hold JSON`, field);
  }
}

function signerFromKid(kid: unknown): Uint8Array | null {
  if (typeof kid !== 'string' || !kid.startsWith('did:key:')) return null;
  try {
    const bytes = decodeBase58(kid.slice('did:key:z'.length).split('#')[0]!);
    return bytes.length === 34 && bytes[0] === 0xed ? bytes.slice(2) : null;
  } catch {
    return null;
  }
}

function safeVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

function decodeBytes(text: string, field: string): Uint8Array {
  try {
    return decodeBase64Url(text);
  } catch {
    throw didcommError('message_malformed', `${field} is not base64`, field);
  }
}
