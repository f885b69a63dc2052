/**
 * The eddsa-jcs-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0 §3.3) over plain
 * JSON: a proof is an Ed25519 signature over SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document)).
 * Keys are WebCrypto CryptoKeys; finding and trusting them is the caller's business.
 */
import { base58 } from '@scure/base';
import { canonicalize } from './jcs';

/** A JSON object, as parsed or about to be sent. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** A Data Integrity proof of the eddsa-jcs-2022 cryptosuite (VC Data Integrity 1.0 §2.1). */
export interface DataIntegrityProof {
  readonly type: 'DataIntegrityProof';
  readonly cryptosuite: 'eddsa-jcs-2022';
  readonly created: string;
  readonly verificationMethod: string;
  readonly proofPurpose: 'assertionMethod';
  readonly proofValue: string;
  readonly '@context'?: unknown;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * §3.3.1 Create Proof: the document with a `proof` for `verificationMethod`, made with the
 * Ed25519 `privateKey` at `created` (written to the second, as most verifiers re-serialize it).
 */
export async function createProof(
  document: JsonObject,
  privateKey: CryptoKey,
  options: { verificationMethod: string; created: Date },
): Promise<JsonObject & { proof: DataIntegrityProof }> {
  if ('proof' in document) throw new TypeError('the document already carries a proof');
  const proofOptions = {
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-jcs-2022',
    created: options.created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    verificationMethod: options.verificationMethod,
    proofPurpose: 'assertionMethod',
    // Step 2: the proof carries the document's context.
    ...(document['@context'] !== undefined ? { '@context': document['@context'] } : {}),
  } as const;
  const signature = await crypto.subtle.sign('Ed25519', privateKey, await hashData(document, proofOptions));
  // Step 7: the proof value is the signature as a base58-btc Multibase string.
  return { ...document, proof: { ...proofOptions, proofValue: `z${base58.encode(new Uint8Array(signature))}` } };
}

/**
 * §3.3.2 Verify Proof: whether `proof`, one of the proofs of `secured`, is a valid eddsa-jcs-2022
 * signature by `publicKey` that has not expired by `now`. Every proof option the signer chose is
 * hashed as it arrived. A Linked Data Signature beside it (`signature`) is not part of what was
 * proven (FEP-8b32, "Backward compatibility").
 */
export async function verifyProof(
  secured: JsonObject,
  proof: unknown,
  publicKey: CryptoKey,
  now: Date,
): Promise<boolean> {
  if (!isEddsaJcsProof(proof)) return false;
  const { proofValue, ...proofOptions } = proof;
  if (typeof proofOptions.expires === 'string' && !(Date.parse(proofOptions.expires) > now.getTime())) return false;
  const { proof: _proofs, signature: _ldSignature, ...unsecured } = secured;
  let document: JsonObject = unsecured;
  if (proofOptions['@context'] !== undefined) {
    // Step 4: the document's context must begin with the proof's, which then stands for it.
    const documentContext = asArray(secured['@context']);
    const proofContext = asArray(proofOptions['@context']);
    if (
      proofContext.length > documentContext.length ||
      proofContext.some((entry, i) => canonicalize(entry) !== canonicalize(documentContext[i]))
    )
      return false;
    document = { ...unsecured, '@context': proofOptions['@context'] };
  }
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = new Uint8Array(base58.decode(proofValue.slice(1)));
  } catch {
    return false;
  }
  if (signature.length !== 64) return false;
  return crypto.subtle.verify('Ed25519', publicKey, signature, await hashData(document, proofOptions));
}

/** The proofs a document carries, as a list (a proof set may be one object or an array). */
export function proofsOf(document: JsonObject): readonly unknown[] {
  return document.proof === undefined ? [] : asArray(document.proof);
}

/**
 * Whether a value has the shape of an eddsa-jcs-2022 assertion proof (§2.2.1, FEP-8b32: the purpose is
 * assertionMethod).
 */
export function isEddsaJcsProof(value: unknown): value is DataIntegrityProof & Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proof = value as Record<string, unknown>;
  return (
    proof.type === 'DataIntegrityProof' &&
    proof.cryptosuite === 'eddsa-jcs-2022' &&
    proof.proofPurpose === 'assertionMethod' &&
    typeof proof.verificationMethod === 'string' &&
    typeof proof.proofValue === 'string' &&
    proof.proofValue.startsWith('z') &&
    // §3.3.5: created, when present, is an XML Schema dateTime.
    (proof.created === undefined || (typeof proof.created === 'string' && DATE_TIME.test(proof.created)))
  );
}

// §3.3.4 Transformation (JCS), §3.3.5 Proof Configuration (JCS, with the document's context) and §3.3.6 Hashing.
async function hashData(document: JsonObject, proofOptions: JsonObject): Promise<Uint8Array<ArrayBuffer>> {
  const config =
    document['@context'] !== undefined ? { ...proofOptions, '@context': document['@context'] } : proofOptions;
  const [configHash, documentHash] = await Promise.all([sha256(canonicalize(config)), sha256(canonicalize(document))]);
  const data = new Uint8Array(configHash.length + documentHash.length);
  data.set(configHash, 0);
  data.set(documentHash, configHash.length);
  return data;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
