/**
 * Where and to which verkeys DIDComm v1 messages for a DID go, read from its document (Aries RFC 0067
 * §Service Conventions: `did-communication`). Apart from did-document.ts because keys may be did:key
 * references (Aries RFC 0360), and did-key.ts builds documents: each of the two imports the other otherwise.
 */
import { decodeBase58, encodeBase58 } from './encoding';
import { didKeyToVerkey } from './did-key';
import { findVerificationMethod, isRecord, verificationMethodKey, type DidDocument } from './did-document';

/** A DIDComm v1 destination: endpoint URI, recipient and routing verkeys (base58), sorted by priority. */
export interface DidCommService {
  readonly id: string;
  readonly serviceEndpoint: string;
  readonly recipientKeys: readonly string[];
  readonly routingKeys: readonly string[];
  readonly accept: readonly string[];
  readonly priority: number;
}

const V1_SERVICE_TYPES: ReadonlySet<string> = new Set(['did-communication', 'IndyAgent']);

/**
 * The document's DIDComm v1 services (RFC 0067: `did-communication`, or legacy `IndyAgent`) with
 * recipient and routing keys resolved to base58 verkeys, lowest `priority` first. A service whose
 * keys cannot be resolved to Ed25519 keys is left out: nothing could be packed for it.
 */
export function didcommServices(document: DidDocument): DidCommService[] {
  const toVerkey = (reference: unknown): string | null => {
    if (typeof reference !== 'string') return null;
    try {
      if (reference.startsWith('did:key:')) return didKeyToVerkey(reference);
      if (reference.includes('#')) {
        const method = findVerificationMethod(document, reference);
        const key = method && verificationMethodKey(method);
        return key?.type === 'Ed25519' ? encodeBase58(key.publicKey) : null;
      }
      return decodeBase58(reference).length === 32 ? reference : null;
    } catch {
      return null;
    }
  };
  const services: DidCommService[] = [];
  for (const service of document.service) {
    if (!V1_SERVICE_TYPES.has(service.type)) continue;
    const endpoint = isRecord(service.serviceEndpoint) ? service.serviceEndpoint.uri : service.serviceEndpoint;
    const recipientKeys = (Array.isArray(service.recipientKeys) ? service.recipientKeys : []).map(toVerkey);
    const routingKeys = (Array.isArray(service.routingKeys) ? service.routingKeys : []).map(toVerkey);
    const unreadable = [...recipientKeys, ...routingKeys].includes(null);
    if (typeof endpoint !== 'string' || recipientKeys.length === 0 || unreadable) continue;
    services.push({
      id: service.id,
      serviceEndpoint: endpoint,
      recipientKeys: recipientKeys as string[],
      routingKeys: routingKeys as string[],
      accept: Array.isArray(service.accept) ? service.accept.filter((a): a is string => typeof a === 'string') : [],
      priority: typeof service.priority === 'number' ? service.priority : 0,
    });
  }
  return services.sort((a, b) => a.priority - b.priority);
}
