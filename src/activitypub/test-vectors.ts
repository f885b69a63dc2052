/**
 * Published vectors the Object Integrity Proof tests check against; the library never imports
 * this file. Each entry names where it comes from.
 */

/**
 * The key pair of the W3C Data Integrity EdDSA Cryptosuites v1.0 test vectors (Multibase:
 * ed25519-priv and ed25519-pub multicodec prefixes), from w3c/vc-di-eddsa `TestVectors/keyPair.json`.
 */
export const W3C_KEY_PAIR = {
  publicKeyMultibase: 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
  privateKeyMultibase: 'z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq',
} as const;

/**
 * The eddsa-jcs-2022 test vector of W3C Data Integrity EdDSA Cryptosuites v1.0 (the signed
 * Alumni Credential of its "Representation: eddsa-jcs-2022" example), from w3c/vc-di-eddsa
 * `TestVectors/eddsa-jcs-2022/signedJCS.json`; its proofValue is also that folder's `sigBTC58JCS.txt`.
 */
export const W3C_EDDSA_JCS_2022_SIGNED = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/examples/v2'],
  id: 'urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33',
  type: ['VerifiableCredential', 'AlumniCredential'],
  name: 'Alumni Credential',
  description: 'A minimum viable example of an Alumni Credential.',
  issuer: 'https://vc.example/issuers/5678',
  validFrom: '2023-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:abcdefgh', alumniOf: 'The School of Examples' },
  proof: {
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-jcs-2022',
    created: '2023-02-24T23:36:38Z',
    verificationMethod: 'https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2',
    proofPurpose: 'assertionMethod',
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/examples/v2'],
    proofValue: 'z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4',
  },
} as const;

/**
 * FEP-8b32's signed activity (a Create of alice's Note, with the same key pair as W3C_KEY_PAIR), as
 * Fedify 2.3.6 reproduces it in `src/sig/proof.test.ts` ("signObject()"): an ActivityPub-shaped
 * vector with a nested object and decimal numbers.
 */
export const FEP_8B32_SIGNED_ACTIVITY = {
  '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/data-integrity/v1'],
  id: 'https://server.example/activities/1',
  type: 'Create',
  actor: 'https://server.example/users/alice',
  object: {
    id: 'https://server.example/objects/1',
    type: 'Note',
    attributedTo: 'https://server.example/users/alice',
    content: 'Hello world',
    location: { type: 'Place', longitude: -71.184902, latitude: 25.273962 },
  },
  proof: {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/data-integrity/v1'],
    type: 'DataIntegrityProof',
    cryptosuite: 'eddsa-jcs-2022',
    verificationMethod: 'https://server.example/users/alice#ed25519-key',
    proofPurpose: 'assertionMethod',
    proofValue: 'zLaewdp4H9kqtwyrLatK4cjY5oRHwVcw4gibPSUDYDMhi4M49v8pcYk3ZB6D69dNpAPbUmY8ocuJ3m9KhKJEEg7z',
    created: '2023-02-24T23:36:38Z',
  },
} as const;
