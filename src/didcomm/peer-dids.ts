/**
 * did:peer numalgo 2 and 4 (Peer DID Method Specification, https://identity.foundation/peer-did-method-spec/,
 * §Method 2 and §Method 4): creation from an Ed25519 key and a DIDComm v1 endpoint, and resolution.
 *
 * The DIDComm v1 service we write follows what Credo-ts writes (createPeerDidDocumentFromServices.ts):
 * `#key-1` the Ed25519 key (authentication), `#key-2` its X25519 twin (keyAgreement), and a
 * `did-communication` service whose `recipientKeys` is `["#key-1"]`. The spec warns not to use the
 * `dm` abbreviation for DIDComm v1 (§Method 2, "Do not use the dm common string").
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519PublicToX25519 } from './crypto-box';
import { isRecord, normalizeDocument, type DidDocument, type DidService } from './did-document';
import {
  decodeBase58,
  decodeBase64Url,
  decodeMultikey,
  encodeBase58,
  encodeBase64Url,
  encodeMultikey,
  fromUtf8,
  utf8,
} from './encoding';
import { didcommError } from './errors';

/** What a Usher peer DID says: our Ed25519 verkey, where to reach us, and optional mediator keys. */
export interface PeerDidOptions {
  /** Raw Ed25519 public key: the DIDComm v1 recipient key and authentication key. */
  readonly publicKey: Uint8Array;
  /** Where DIDComm messages for this DID are POSTed (Usher's public `/didcomm` URL). */
  readonly serviceEndpoint: string;
  /** Mediator keys as `did:key` references; none by default. */
  readonly routingKeys?: readonly string[];
  /** Accepted envelope profiles; default `didcomm/aip2;env=rfc19` (RFC 0019 envelopes). */
  readonly accept?: readonly string[];
}

/** The two forms of a did:peer:4: the long form carries the document, the short form is its hash. */
export interface PeerDid4 {
  readonly longForm: string;
  readonly shortForm: string;
}

// §Method 2 "Common String Abbreviations".
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  type: 't',
  DIDCommMessaging: 'dm',
  serviceEndpoint: 's',
  routingKeys: 'r',
  accept: 'a',
};
const EXPANSIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ABBREVIATIONS).map(([full, short]) => [short, full]),
);
const PURPOSES: Readonly<Record<string, string>> = {
  A: 'assertionMethod',
  E: 'keyAgreement',
  V: 'authentication',
  I: 'capabilityInvocation',
  D: 'capabilityDelegation',
};
const DEFAULT_ACCEPT = ['didcomm/aip2;env=rfc19'];
const JSON_CODEC = Uint8Array.of(0x80, 0x04); // multicodec `json` (0x0200) as a varint, §Method 4 step 1.3
const SHA256_MULTIHASH = Uint8Array.of(0x12, 0x20);
const PEER4 = /^did:peer:4(z[1-9A-HJ-NP-Za-km-z]{46})(?::(z[1-9A-HJ-NP-Za-km-z]+))?$/;

/** `did:peer:2.Vz6Mk….Ez6LS….S…` for an Ed25519 key and a DIDComm v1 service (§Method 2 "Generating"). */
export function createPeerDid2(options: PeerDidOptions): string {
  const { signing, agreement } = multikeys(options.publicKey);
  const service = rewriteKeys({ id: '#didcomm-0', ...didcommV1Service(options) }, ABBREVIATIONS, true);
  return `did:peer:2.V${signing}.E${agreement}.S${encodeBase64Url(utf8(JSON.stringify(service)))}`;
}

/** Resolves a did:peer:2 (§Method 2 "Resolving"): keys become `#key-N` Multikeys, services are expanded. */
export function resolvePeerDid2(did: string): DidDocument {
  const elements = did.startsWith('did:peer:2.') ? did.slice('did:peer:2.'.length).split('.') : [];
  if (elements.length === 0 || elements.some((element) => element.length < 2))
    throw didcommError('did_malformed', 'Not a did:peer:2');
  const verificationMethod: Array<Record<string, string>> = [];
  const relationships: Record<string, string[]> = {};
  const service: DidService[] = [];
  for (const element of elements) {
    const purpose = element[0]!;
    const content = element.slice(1);
    if (purpose === 'S') {
      // One JSON object per element (clarified spec); early writers put several in one JSON array.
      const decoded = decodeServiceElement(content);
      for (const entry of Array.isArray(decoded) ? decoded : [decoded]) {
        if (!isRecord(entry)) throw didcommError('did_malformed', 'A did:peer:2 service is not an object');
        const expanded = rewriteKeys(entry, EXPANSIONS, false);
        service.push({
          ...expanded,
          id: typeof expanded.id === 'string' ? expanded.id : serviceId(service.length),
        } as DidService);
      }
    } else if (PURPOSES[purpose] && decodeMultikey(content)) {
      const id = `#key-${verificationMethod.length + 1}`;
      verificationMethod.push({ id, type: 'Multikey', controller: did, publicKeyMultibase: content });
      (relationships[PURPOSES[purpose]] ??= []).push(id);
    } else {
      throw didcommError('did_malformed', `Unreadable did:peer:2 element .${element.slice(0, 12)}…`);
    }
  }
  const peer3 = `did:peer:3z${encodeBase58(new Uint8Array([...SHA256_MULTIHASH, ...sha256(utf8(did.slice('did:peer:2'.length)))]))}`;
  return normalizeDocument({
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    alsoKnownAs: [peer3],
    verificationMethod,
    ...relationships,
    service,
  });
}

/**
 * A did:peer:4 (§Method 4 "Creating a DID") whose input document carries the key, its X25519 twin and a DIDComm v1
 * service.
 */
export function createPeerDid4(options: PeerDidOptions): PeerDid4 {
  const agreement = agreementKey(options.publicKey);
  const inputDocument = {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/suites/ed25519-2018/v1',
      'https://w3id.org/security/suites/x25519-2019/v1',
    ],
    verificationMethod: [
      { id: '#key-1', type: 'Ed25519VerificationKey2018', publicKeyBase58: encodeBase58(options.publicKey) },
      { id: '#key-2', type: 'X25519KeyAgreementKey2019', publicKeyBase58: encodeBase58(agreement) },
    ],
    authentication: ['#key-1'],
    keyAgreement: ['#key-2'],
    service: [{ id: '#didcomm-0', ...didcommV1Service(options) }],
  };
  const encoded = `z${encodeBase58(new Uint8Array([...JSON_CODEC, ...utf8(JSON.stringify(inputDocument))]))}`;
  const shortForm = `did:peer:4${peer4Hash(encoded)}`;
  return { shortForm, longForm: `${shortForm}:${encoded}` };
}

/**
 * Resolves a long-form did:peer:4 (§Method 4 "Resolving a DID"): checks the hash, decodes the input
 * document and contextualizes it with the DID — or with the short form when `as` is `'short'`.
 */
export function resolvePeerDid4(longForm: string, as: 'long' | 'short' = 'long'): DidDocument {
  const match = PEER4.exec(longForm);
  if (!match) throw didcommError('did_malformed', 'Not a did:peer:4');
  const [, hash, encoded] = match;
  if (!encoded)
    throw didcommError('did_unsupported', 'A short-form did:peer:4 resolves only from its long form, seen earlier');
  if (peer4Hash(encoded) !== hash)
    throw didcommError('did_malformed', 'The did:peer:4 hash does not match its document');
  let input: unknown;
  try {
    const bytes = decodeBase58(encoded.slice(1));
    if (bytes[0] !== JSON_CODEC[0] || bytes[1] !== JSON_CODEC[1]) throw new Error('not json');
    input = JSON.parse(fromUtf8(bytes.subarray(2)));
  } catch {
    throw didcommError('did_malformed', 'The did:peer:4 document is not multicodec JSON');
  }
  if (!isRecord(input)) throw didcommError('did_malformed', 'The did:peer:4 document is not an object');
  const shortForm = `did:peer:4${hash}`;
  const [id, other] = as === 'short' ? [shortForm, longForm] : [longForm, shortForm];
  const withController = (entry: unknown) =>
    isRecord(entry) && entry.controller === undefined ? { ...entry, controller: id } : entry;
  const contextualized: Record<string, unknown> = {
    ...input,
    id,
    alsoKnownAs: [...(Array.isArray(input.alsoKnownAs) ? input.alsoKnownAs : []), other],
  };
  for (const name of ['verificationMethod', ...Object.values(PURPOSES)]) {
    if (Array.isArray(input[name])) contextualized[name] = input[name].map(withController);
  }
  return normalizeDocument(contextualized);
}

/** The short form (`did:peer:4zQm…`) of a long-form did:peer:4. */
export function peerDid4ShortForm(longForm: string): string {
  const match = PEER4.exec(longForm);
  if (!match) throw didcommError('did_malformed', 'Not a did:peer:4');
  return `did:peer:4${match[1]}`;
}

function multikeys(publicKey: Uint8Array): { signing: string; agreement: string } {
  const agreement = agreementKey(publicKey);
  return {
    signing: encodeMultikey({ type: 'Ed25519', publicKey }),
    agreement: encodeMultikey({ type: 'X25519', publicKey: agreement }),
  };
}

function agreementKey(publicKey: Uint8Array): Uint8Array {
  try {
    return ed25519PublicToX25519(publicKey);
  } catch {
    throw didcommError('key_invalid', 'Not an Ed25519 public key', 'publicKey');
  }
}

// RFC 0067 §Service Conventions: a DIDComm v1 service names its recipient keys.
function didcommV1Service(options: PeerDidOptions): Record<string, unknown> {
  return {
    type: 'did-communication',
    serviceEndpoint: options.serviceEndpoint,
    recipientKeys: ['#key-1'],
    routingKeys: [...(options.routingKeys ?? [])],
    accept: [...(options.accept ?? DEFAULT_ACCEPT)],
    priority: 0,
  };
}

// Spec: service ids default to `#service`, then `#service-1`, `#service-2`, ….
function serviceId(index: number): string {
  return index === 0 ? '#service' : `#service-${index}`;
}

function decodeServiceElement(content: string): unknown {
  try {
    return JSON.parse(fromUtf8(decodeBase64Url(content)));
  } catch {
    throw didcommError('did_malformed', 'A did:peer:2 service is not base64url JSON');
  }
}

// Recursively renames object keys, and the `type` value, through the abbreviation table (§Method 2).
function rewriteKeys(
  value: Record<string, unknown>,
  table: Readonly<Record<string, string>>,
  abbreviating: boolean,
): Record<string, unknown> {
  const typeKey = abbreviating ? 'type' : 't';
  const rewrite = (node: unknown): unknown =>
    Array.isArray(node) ? node.map(rewrite) : isRecord(node) ? rewriteKeys(node, table, abbreviating) : node;
  // Own properties only: a service key such as "constructor" must not pick up Object.prototype.
  const lookup = (word: string) => (Object.hasOwn(table, word) ? table[word]! : word);
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [
      lookup(key),
      key === typeKey && typeof entry === 'string' ? lookup(entry) : rewrite(entry),
    ]),
  );
}

function peer4Hash(encodedDocument: string): string {
  return `z${encodeBase58(new Uint8Array([...SHA256_MULTIHASH, ...sha256(utf8(encodedDocument))]))}`;
}
