/**
 * A Credo key management service (KMS) backed by libsodium-wrappers, kept in memory.
 *
 * Why it exists: Credo 0.6's only KMS that implements what DIDComm v1 needs (ECDH-HSALSA20 +
 * XSALSA20-POLY1305, i.e. libsodium's crypto_box / crypto_box_seal, and C20P) is Askar, whose
 * npm package downloads its native library from GitHub at install time, which cannot work here;
 * the Node KMS of @credo-ts/node has neither algorithm. Credo's KMS is pluggable, so this backend
 * supplies the primitives from libsodium (the library the RFC 0019 envelope was defined on) while
 * Credo's own DidCommEnvelopeService decides the envelope layout and every protocol step.
 *
 * Covered: Ed25519 and X25519 keys (create, import, delete, public key), EdDSA sign/verify,
 * ECDH-HSALSA20 + XSALSA20-POLY1305 (authcrypt box with a returned 24-byte nonce, or sealed box
 * when there is no sender key), C20P (ChaCha20-Poly1305 IETF, 12-byte nonce) and XC20P content
 * encryption, random bytes. Anything else is reported unsupported, so Credo fails loudly.
 */
import { randomUUID } from 'node:crypto';
import { Kms, TypedArrayEncoder, type AgentContext } from '@credo-ts/core';
import sodium from 'libsodium-wrappers';

type PrivateOkpJwk = { kty: 'OKP'; crv: 'Ed25519' | 'X25519'; x: string; d: string; kid: string };

const BACKEND = 'usher-test-sodium';

function b64u(bytes: Uint8Array): string {
  return TypedArrayEncoder.toBase64URL(bytes);
}

function fromB64u(value: string): Uint8Array {
  return new Uint8Array(TypedArrayEncoder.fromBase64(value));
}

/** A copy backed by a plain ArrayBuffer: what Credo's Uint8ArrayBuffer type asks for. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function isOkpCrv(crv: unknown): crv is 'Ed25519' | 'X25519' {
  return crv === 'Ed25519' || crv === 'X25519';
}

const CONTENT_ALGORITHMS = ['C20P', 'XC20P', 'XSALSA20-POLY1305'];
const SIGNING_ALGORITHMS = ['EdDSA', 'Ed25519'];

export class SodiumKeyManagementService implements Kms.KeyManagementService {
  public readonly backend = BACKEND;
  readonly #keys = new Map<string, PrivateOkpJwk>();

  /** Must be awaited once before the agent starts: libsodium initialises its WebAssembly. */
  public static async ready(): Promise<void> {
    await sodium.ready;
  }

  public isOperationSupported(_agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    switch (operation.operation) {
      case 'deleteKey':
      case 'randomBytes':
        return true;
      case 'createKey':
        return operation.type.kty === 'OKP' && isOkpCrv(operation.type.crv);
      case 'importKey':
        return operation.privateJwk.kty === 'OKP' && isOkpCrv(operation.privateJwk.crv);
      case 'sign':
      case 'verify':
        return SIGNING_ALGORITHMS.includes(operation.algorithm);
      case 'encrypt':
      case 'decrypt': {
        const algorithm =
          operation.operation === 'encrypt' ? operation.encryption.algorithm : operation.decryption.algorithm;
        if (!CONTENT_ALGORITHMS.includes(algorithm)) return false;
        if (!operation.keyAgreement) return algorithm !== 'XSALSA20-POLY1305';
        return operation.keyAgreement.algorithm === 'ECDH-HSALSA20' && algorithm === 'XSALSA20-POLY1305';
      }
      default:
        return false;
    }
  }

  public randomBytes(_agentContext: AgentContext, options: Kms.KmsRandomBytesOptions): Kms.KmsRandomBytesReturn {
    return owned(sodium.randombytes_buf(options.length));
  }

  public async getPublicKey(_agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    const jwk = this.#keys.get(keyId);
    if (!jwk) return null;
    return { kty: 'OKP', crv: jwk.crv, x: jwk.x, kid: jwk.kid } as Kms.KmsJwkPublic;
  }

  public async createKey<Type extends Kms.KmsCreateKeyType>(
    _agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    const type = options.type as Kms.KmsCreateKeyType;
    if (type.kty !== 'OKP' || !isOkpCrv(type.crv)) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${JSON.stringify(type)}`, BACKEND);
    }
    const keyId = options.keyId ?? randomUUID();
    this.assertAbsent(keyId);
    const seed = sodium.randombytes_buf(32);
    const jwk: PrivateOkpJwk =
      type.crv === 'Ed25519'
        ? {
            kty: 'OKP',
            crv: 'Ed25519',
            x: b64u(sodium.crypto_sign_seed_keypair(seed).publicKey),
            d: b64u(seed),
            kid: keyId,
          }
        : { kty: 'OKP', crv: 'X25519', x: b64u(sodium.crypto_scalarmult_base(seed)), d: b64u(seed), kid: keyId };
    this.#keys.set(keyId, jwk);
    return {
      keyId,
      publicJwk: { kty: 'OKP', crv: jwk.crv, x: jwk.x, kid: keyId },
    } as unknown as Kms.KmsCreateKeyReturn<Type>;
  }

  public async importKey<Jwk extends Kms.KmsJwkPrivate>(
    _agentContext: AgentContext,
    options: Kms.KmsImportKeyOptions<Jwk>,
  ): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    const source = options.privateJwk as { kty: string; crv?: string; d?: string; kid?: string };
    if (source.kty !== 'OKP' || !isOkpCrv(source.crv) || !source.d) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(
        `importing kty '${source.kty}' crv '${source.crv}'`,
        BACKEND,
      );
    }
    const keyId = source.kid ?? randomUUID();
    this.assertAbsent(keyId);
    const d = fromB64u(source.d);
    const x =
      source.crv === 'Ed25519' ? sodium.crypto_sign_seed_keypair(d).publicKey : sodium.crypto_scalarmult_base(d);
    const jwk: PrivateOkpJwk = { kty: 'OKP', crv: source.crv, x: b64u(x), d: source.d, kid: keyId };
    this.#keys.set(keyId, jwk);
    return {
      keyId,
      publicJwk: { kty: 'OKP', crv: jwk.crv, x: jwk.x, kid: keyId },
    } as unknown as Kms.KmsImportKeyReturn<Jwk>;
  }

  public async deleteKey(_agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    return this.#keys.delete(options.keyId);
  }

  public async sign(_agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const jwk = this.privateKey(options.keyId);
    if (jwk.crv !== 'Ed25519') throw new Kms.KeyManagementError(`key '${options.keyId}' (${jwk.crv}) cannot sign`);
    const { privateKey } = sodium.crypto_sign_seed_keypair(fromB64u(jwk.d));
    return { signature: owned(sodium.crypto_sign_detached(new Uint8Array(options.data), privateKey)) };
  }

  public async verify(_agentContext: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> {
    const publicJwk = (options.key.keyId ? this.privateKey(options.key.keyId) : options.key.publicJwk) as {
      kty: string;
      crv?: string;
      x?: string;
    };
    if (publicJwk?.kty !== 'OKP' || publicJwk.crv !== 'Ed25519' || !publicJwk.x) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(
        `verifying with ${publicJwk?.kty}/${publicJwk?.crv}`,
        BACKEND,
      );
    }
    const verified = sodium.crypto_sign_verify_detached(
      new Uint8Array(options.signature),
      new Uint8Array(options.data),
      fromB64u(publicJwk.x),
    );
    if (!verified) return { verified: false };
    return { verified: true, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x } as Kms.KmsJwkPublic };
  }

  public async encrypt(_agentContext: AgentContext, options: Kms.KmsEncryptOptions): Promise<Kms.KmsEncryptReturn> {
    const { encryption, key } = options;
    const data = new Uint8Array(options.data);
    if ('keyAgreement' in key && key.keyAgreement) {
      const agreement = key.keyAgreement as {
        algorithm: string;
        keyId?: string;
        externalPublicJwk: { crv?: string; x?: string };
      };
      if (agreement.algorithm !== 'ECDH-HSALSA20' || encryption.algorithm !== 'XSALSA20-POLY1305') {
        throw new Kms.KeyManagementAlgorithmNotSupportedError(
          `${agreement.algorithm} with ${encryption.algorithm}`,
          BACKEND,
        );
      }
      const recipient = this.x25519Public(agreement.externalPublicJwk);
      // No sender key: anoncrypt, libsodium's sealed box (ephemeral key and nonce inside).
      if (!agreement.keyId) return { encrypted: owned(sodium.crypto_box_seal(data, recipient)) };
      const nonce = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES);
      const encrypted = sodium.crypto_box_easy(data, nonce, recipient, this.x25519Secret(agreement.keyId));
      return { encrypted: owned(encrypted), iv: owned(nonce) };
    }
    const cek = this.contentKey(key as { keyId?: string; privateJwk?: { kty: string; k?: string } });
    const given = encryption as { aad?: Uint8Array; iv?: Uint8Array };
    const aad = given.aad ? new Uint8Array(given.aad) : null;
    const givenIv = given.iv ? new Uint8Array(given.iv) : undefined;
    if (encryption.algorithm === 'C20P') {
      const iv = givenIv ?? sodium.randombytes_buf(sodium.crypto_aead_chacha20poly1305_ietf_NPUBBYTES);
      const { ciphertext, mac } = sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(data, aad, null, iv, cek);
      return { encrypted: owned(ciphertext), tag: owned(mac), iv: owned(iv) };
    }
    if (encryption.algorithm === 'XC20P') {
      const iv = givenIv ?? sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
      const { ciphertext, mac } = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached(data, aad, null, iv, cek);
      return { encrypted: owned(ciphertext), tag: owned(mac), iv: owned(iv) };
    }
    throw new Kms.KeyManagementAlgorithmNotSupportedError(`content encryption '${encryption.algorithm}'`, BACKEND);
  }

  public async decrypt(_agentContext: AgentContext, options: Kms.KmsDecryptOptions): Promise<Kms.KmsDecryptReturn> {
    const { decryption, key } = options;
    const encrypted = new Uint8Array(options.encrypted);
    try {
      if ('keyAgreement' in key && key.keyAgreement) {
        const agreement = key.keyAgreement as {
          algorithm: string;
          keyId: string;
          externalPublicJwk?: { crv?: string; x?: string };
        };
        if (agreement.algorithm !== 'ECDH-HSALSA20' || decryption.algorithm !== 'XSALSA20-POLY1305') {
          throw new Kms.KeyManagementAlgorithmNotSupportedError(
            `${agreement.algorithm} with ${decryption.algorithm}`,
            BACKEND,
          );
        }
        const secret = this.x25519Secret(agreement.keyId);
        if (!agreement.externalPublicJwk) {
          return { data: owned(sodium.crypto_box_seal_open(encrypted, sodium.crypto_scalarmult_base(secret), secret)) };
        }
        const iv = 'iv' in decryption && decryption.iv ? new Uint8Array(decryption.iv) : undefined;
        if (!iv) throw new Kms.KeyManagementError('ECDH-HSALSA20 with a sender key needs an iv (nonce)');
        return {
          data: owned(
            sodium.crypto_box_open_easy(encrypted, iv, this.x25519Public(agreement.externalPublicJwk), secret),
          ),
        };
      }
      const cek = this.contentKey(key as { keyId?: string; privateJwk?: { kty: string; k?: string } });
      const d = decryption as { algorithm: string; iv?: Uint8Array; tag?: Uint8Array; aad?: Uint8Array };
      if ((d.algorithm === 'C20P' || d.algorithm === 'XC20P') && d.iv && d.tag) {
        const aad = d.aad ? new Uint8Array(d.aad) : null;
        const open =
          d.algorithm === 'C20P'
            ? sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached
            : sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached;
        return { data: owned(open(null, encrypted, new Uint8Array(d.tag), aad, new Uint8Array(d.iv), cek)) };
      }
      throw new Kms.KeyManagementAlgorithmNotSupportedError(
        `content decryption '${d.algorithm}' (iv and tag required)`,
        BACKEND,
      );
    } catch (error) {
      if (error instanceof Kms.KeyManagementError) throw error;
      throw new Kms.KeyManagementError(`Error decrypting: ${(error as Error).message}`, { cause: error as Error });
    }
  }

  private assertAbsent(keyId: string): void {
    if (this.#keys.has(keyId)) throw new Kms.KeyManagementKeyExistsError(keyId, BACKEND);
  }

  private privateKey(keyId: string): PrivateOkpJwk {
    const jwk = this.#keys.get(keyId);
    if (!jwk) throw new Kms.KeyManagementKeyNotFoundError(keyId, [BACKEND]);
    return jwk;
  }

  /** The X25519 secret of a stored key; an Ed25519 key is converted as libsodium does. */
  private x25519Secret(keyId: string): Uint8Array {
    const jwk = this.privateKey(keyId);
    if (jwk.crv === 'X25519') return fromB64u(jwk.d);
    return sodium.crypto_sign_ed25519_sk_to_curve25519(sodium.crypto_sign_seed_keypair(fromB64u(jwk.d)).privateKey);
  }

  private x25519Public(jwk: { crv?: string; x?: string }): Uint8Array {
    if (!jwk.x) throw new Kms.KeyManagementError('external public key without x');
    if (jwk.crv === 'X25519') return fromB64u(jwk.x);
    if (jwk.crv === 'Ed25519') return sodium.crypto_sign_ed25519_pk_to_curve25519(fromB64u(jwk.x));
    throw new Kms.KeyManagementAlgorithmNotSupportedError(`key agreement with crv '${jwk.crv}'`, BACKEND);
  }

  private contentKey(key: { keyId?: string; privateJwk?: { kty: string; k?: string } }): Uint8Array {
    if (key.privateJwk?.kty === 'oct' && key.privateJwk.k) return fromB64u(key.privateJwk.k);
    throw new Kms.KeyManagementAlgorithmNotSupportedError('content encryption with a stored key id', BACKEND);
  }
}
