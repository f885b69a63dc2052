import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import { refusal } from '#support/refusal';
import { describe, expect, it } from 'vitest';
import {
  createPeerDid2,
  createPeerDid4,
  didcommServices,
  didKeyToVerkey,
  findVerificationMethod,
  peerDid4ShortForm,
  resolveDid,
  verificationMethodKey,
  verkeyToDidKey,
} from './index';
import {
  CREDO_PEER4,
  INDICIO_PEER2,
  LEGACY_ARRAY_PEER2,
  SPEC_DID_KEY,
  SPEC_PEER2,
  SPEC_PEER3,
  SPEC_PEER4,
  VERKEY_DID_KEY,
} from '../../test/fixtures/vectors/didcomm';

function newVerkey(): Uint8Array {
  return ed25519.getPublicKey(ed25519.utils.randomSecretKey());
}

describe('did:key', () => {
  it('resolves the spec vector with its derived X25519 key agreement key', () => {
    const document = resolveDid(SPEC_DID_KEY.did);
    const signing = `${SPEC_DID_KEY.did}#${SPEC_DID_KEY.did.slice('did:key:'.length)}`;
    expect(document.authentication).toEqual([signing]);
    expect(document.keyAgreement).toEqual([`${SPEC_DID_KEY.did}#${SPEC_DID_KEY.agreement}`]);
    expect(verificationMethodKey(findVerificationMethod(document, signing)!)?.type).toBe('Ed25519');
  });

  it('maps a verkey to its did:key and back, as RFC 0434 recipientKeys carry them', () => {
    expect(verkeyToDidKey(VERKEY_DID_KEY.verkey)).toBe(VERKEY_DID_KEY.didKey);
    expect(didKeyToVerkey(VERKEY_DID_KEY.didKey)).toBe(VERKEY_DID_KEY.verkey);
    expect(didKeyToVerkey(`${VERKEY_DID_KEY.didKey}#${VERKEY_DID_KEY.didKey.slice(8)}`)).toBe(VERKEY_DID_KEY.verkey);
    const verkey = base58.encode(newVerkey());
    expect(didKeyToVerkey(verkeyToDidKey(verkey))).toBe(verkey);
  });

  it('resolves a did:peer:0 like the did:key it equals', () => {
    const document = resolveDid(`did:peer:0${VERKEY_DID_KEY.didKey.slice(8)}`);
    expect(document.id).toBe('did:peer:0z6MkqRYqQiSgvZQdnBytw86Qbs2ZWUkGv22od935YF4s8M7V');
    expect(document.authentication).toEqual([`${document.id}#z6MkqRYqQiSgvZQdnBytw86Qbs2ZWUkGv22od935YF4s8M7V`]);
  });
});

describe('did:peer:2', () => {
  it("resolves the spec's example: #key-N Multikeys, expanded services and its did:peer:3", () => {
    const document = resolveDid(SPEC_PEER2.did);
    expect(document.verificationMethod).toEqual([
      {
        id: '#key-1',
        type: 'Multikey',
        controller: SPEC_PEER2.did,
        publicKeyMultibase: 'z6Mkj3PUd1WjvaDhNZhhhXQdz5UnZXmS7ehtx8bsPpD47kKc',
      },
      {
        id: '#key-2',
        type: 'Multikey',
        controller: SPEC_PEER2.did,
        publicKeyMultibase: 'z6LSg8zQom395jKLrGiBNruB9MM6V8PWuf2FpEy4uRFiqQBR',
      },
    ]);
    expect(document).toMatchObject({
      authentication: ['#key-1'],
      keyAgreement: ['#key-2'],
      alsoKnownAs: [SPEC_PEER2.peer3],
    });
    expect(document.service).toEqual([
      {
        id: '#service',
        type: 'DIDCommMessaging',
        serviceEndpoint: {
          uri: 'http://example.com/didcomm',
          accept: ['didcomm/v2'],
          routingKeys: ['did:example:123456789abcdefghi#key-1'],
        },
      },
      {
        id: '#service-1',
        type: 'DIDCommMessaging',
        serviceEndpoint: {
          uri: 'http://example.com/another',
          accept: ['didcomm/v2'],
          routingKeys: ['did:example:123456789abcdefghi#key-2'],
        },
      },
    ]);
  });

  it("shortens the spec's Method 3 example to its did:peer:3", () => {
    expect(resolveDid(SPEC_PEER3.peer2).alsoKnownAs).toEqual([SPEC_PEER3.peer3]);
  });

  it("finds the DIDComm v1 services and verkey of Indicio's mediator DID", () => {
    const document = resolveDid(INDICIO_PEER2.did);
    expect(verificationMethodKey(findVerificationMethod(document, '#key-1')!)).toEqual({
      type: 'X25519',
      publicKey: base58.decode(INDICIO_PEER2.agreementBase58),
    });
    expect(didcommServices(document)).toEqual([
      expect.objectContaining({
        serviceEndpoint: 'https://us-east.proven.mediator.indiciotech.io/message',
        recipientKeys: [INDICIO_PEER2.verkey],
        routingKeys: [],
      }),
      expect.objectContaining({
        serviceEndpoint: 'wss://ws.us-east.proven.mediator.indiciotech.io/ws',
        recipientKeys: [INDICIO_PEER2.verkey],
      }),
    ]);
  });

  it('reads an early did:peer:2 that put all its services in one JSON array', () => {
    const { service } = resolveDid(LEGACY_ARRAY_PEER2);
    expect(service.map((s) => [s.id, s.type, s.serviceEndpoint])).toEqual([
      ['#service', 'DIDCommMessaging', 'https://example.com/endpoint'],
      ['#service-1', 'example', 'https://example.com/endpoint2'],
    ]);
  });

  it('round-trips our own key, endpoint and mediator as a DIDComm v1 service', () => {
    const publicKey = newVerkey();
    const mediator = verkeyToDidKey(base58.encode(newVerkey()));
    const did = createPeerDid2({
      publicKey,
      serviceEndpoint: 'https://usher.example/didcomm',
      routingKeys: [`${mediator}#${mediator.slice(8)}`],
    });
    const encodedService = JSON.parse(Buffer.from(did.split('.S')[1]!, 'base64url').toString());
    expect(encodedService).toMatchObject({
      t: 'did-communication',
      s: 'https://usher.example/didcomm',
      recipientKeys: ['#key-1'],
      a: ['didcomm/aip2;env=rfc19'],
    });
    const document = resolveDid(did);
    expect(verificationMethodKey(findVerificationMethod(document, `${did}#key-2`)!)?.publicKey).toEqual(
      ed25519.utils.toMontgomery(publicKey),
    );
    expect(didcommServices(document)).toEqual([
      {
        id: '#didcomm-0',
        serviceEndpoint: 'https://usher.example/didcomm',
        recipientKeys: [base58.encode(publicKey)],
        routingKeys: [didKeyToVerkey(mediator)],
        accept: ['didcomm/aip2;env=rfc19'],
        priority: 0,
      },
    ]);
  });
});

describe('did:peer:4', () => {
  it("resolves the spec's long form, and its short form once the long form is known", () => {
    const long = resolveDid(SPEC_PEER4.longForm);
    expect(long).toMatchObject({
      id: SPEC_PEER4.longForm,
      alsoKnownAs: [SPEC_PEER4.shortForm],
      authentication: ['#6MkrCD1c'],
      keyAgreement: ['#6LSqPZfn'],
    });
    expect(long.service[0]).toEqual({
      id: '#didcommmessaging-0',
      type: 'DIDCommMessaging',
      serviceEndpoint: { uri: 'didcomm:transport/queue', accept: ['didcomm/v2'], routingKeys: [] },
    });
    expect(long.verificationMethod.map((m) => m.controller)).toEqual([SPEC_PEER4.longForm, SPEC_PEER4.longForm]);
    const short = resolveDid(SPEC_PEER4.shortForm, {
      longFormOf: (did) => (did === SPEC_PEER4.shortForm ? SPEC_PEER4.longForm : undefined),
    });
    expect(short).toMatchObject({ id: SPEC_PEER4.shortForm, alsoKnownAs: [SPEC_PEER4.longForm] });
    expect(short.verificationMethod[0]?.controller).toBe(SPEC_PEER4.shortForm);
    expect(peerDid4ShortForm(SPEC_PEER4.longForm)).toBe(SPEC_PEER4.shortForm);
  });

  it('finds the DIDComm v1 service of a did:peer:4 written by Credo', () => {
    expect(didcommServices(resolveDid(CREDO_PEER4.longForm))).toEqual([
      {
        id: '#service-0',
        serviceEndpoint: 'https://example.com',
        recipientKeys: [CREDO_PEER4.verkey],
        routingKeys: [],
        accept: ['didcomm/aip2;env=rfc19'],
        priority: 0,
      },
    ]);
  });

  it('round-trips our own key and endpoint in long and short form', () => {
    const publicKey = newVerkey();
    const { longForm, shortForm } = createPeerDid4({ publicKey, serviceEndpoint: 'https://usher.example/didcomm' });
    expect(longForm.startsWith(`${shortForm}:z`)).toBe(true);
    for (const document of [resolveDid(longForm), resolveDid(shortForm, { longFormOf: () => longForm })]) {
      expect(didcommServices(document)).toEqual([
        expect.objectContaining({
          serviceEndpoint: 'https://usher.example/didcomm',
          recipientKeys: [base58.encode(publicKey)],
        }),
      ]);
      expect(verificationMethodKey(findVerificationMethod(document, '#key-2')!)?.publicKey).toEqual(
        ed25519.utils.toMontgomery(publicKey),
      );
    }
  });

  it('refuses a long form whose document does not match its hash', () => {
    const tampered = `${SPEC_PEER4.longForm.slice(0, -1)}${SPEC_PEER4.longForm.endsWith('z') ? 'y' : 'z'}`;
    expect(refusal(() => resolveDid(tampered))).toBe('did_malformed');
  });
});

describe('refused DIDs', () => {
  it.each([
    ['a string that is no DID', 'hello', 'did_malformed'],
    ['an unsupported method', 'did:web:example.com', 'did_unsupported'],
    ['did:peer numalgo 1', 'did:peer:1zQmZMygzYqNwU6Uhmewx5Xepf2VLp5S4HLSwwgf2aiKZuwa', 'did_unsupported'],
    [
      'an X25519 did:key, which holds no verkey',
      'did:key:z6LShLeXRTzevtwcfehaGEzCMyL3bNsAeKCwcqwJxyCo63yE',
      'did_unsupported',
    ],
    ['a did:key that is not base58', 'did:key:z0OIl', 'did_malformed'],
    [
      'a did:peer:2 with an unknown purpose',
      'did:peer:2.Xz6Mkj3PUd1WjvaDhNZhhhXQdz5UnZXmS7ehtx8bsPpD47kKc',
      'did_malformed',
    ],
    ['a did:peer:2 with a truncated key', 'did:peer:2.Vz6Mkj3PUd1Wjva', 'did_malformed'],
    [
      'a did:peer:2 service that is not JSON',
      'did:peer:2.Vz6Mkj3PUd1WjvaDhNZhhhXQdz5UnZXmS7ehtx8bsPpD47kKc.Sbm90IGpzb24',
      'did_malformed',
    ],
    ['a short did:peer:4 never seen in long form', SPEC_PEER4.shortForm, 'did_unsupported'],
  ])('refuses %s', (_name, did, code) => {
    expect(refusal(() => resolveDid(did))).toBe(code);
  });

  it('refuses to make a peer DID from a key that is not an Ed25519 point', () => {
    expect(refusal(() => createPeerDid2({ publicKey: new Uint8Array(5), serviceEndpoint: 'https://x' }))).toBe(
      'key_invalid',
    );
    expect(refusal(() => verkeyToDidKey('0OIl'))).toBe('key_invalid');
  });
});
