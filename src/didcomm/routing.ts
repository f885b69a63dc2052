/**
 * Where others reach us: Usher's own `/didcomm` endpoint, or, once a mediator has granted
 * mediation (RFC 0211), the mediator's endpoint and routing keys, which then go into every new
 * invitation and connection DID (each new key is registered with the mediator: see mediation.ts).
 */
import type { Db } from '#db';
import { parseJson } from '#common/json';
import { verkeyToDidKey } from './dids';
import { findGrantedMediator } from './mediators';

/** The service a new invitation or DID carries; `mediatorId` null when it is Usher's own endpoint. */
export interface Routing {
  readonly endpoint: string;
  /** base58 verkeys of the mediator, outermost last (RFC 0094 wraps in this order). */
  readonly routingKeys: readonly string[];
  readonly mediatorId: string | null;
}

/** Usher's own endpoint, unmediated. */
export function directRouting(endpoint: string): Routing {
  return { endpoint, routingKeys: [], mediatorId: null };
}

/** The tenant's routing for something new: through its granted mediator if it has one, else direct. */
export async function routingFor(db: Db, tenantId: string, ownEndpoint: string): Promise<Routing> {
  const mediator = await findGrantedMediator(db, tenantId);
  if (!mediator?.endpoint) return directRouting(ownEndpoint);
  return {
    endpoint: mediator.endpoint,
    routingKeys: parseJson<string[]>(mediator.routing_keys, []),
    mediatorId: mediator.id,
  };
}

/** A routing key as DIDs and out-of-band services name it: `did:key:z…#z…` (RFC 0360). */
export function routingKeyReference(verkey: string): string {
  const didKey = verkeyToDidKey(verkey);
  return `${didKey}#${didKey.slice('did:key:'.length)}`;
}
