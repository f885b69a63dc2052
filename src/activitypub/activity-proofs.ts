/**
 * Object Integrity Proofs (FEP-8b32) on activities: Usher signs each activity it sends with its
 * actor's Ed25519 key, and holds an arriving activity's proofs to the same standard: each must
 * verify, by a key its actor lists under `assertionMethod`. An activity without a proof is left
 * to its HTTP signature alone.
 */
import type { Context } from '@fedify/fedify';
import { fetchKey } from '@fedify/fedify/sig';
import { isActor, Multikey } from '@fedify/fedify/vocab';
import { AS_CONTEXT, idOf, type Activity } from './activities';
import { createProof, isEddsaJcsProof, proofsOf, verifyProof, type JsonObject } from './data-integrity';

/** Defines `proof` and its terms for JSON-LD readers, as FEP-8b32's examples do. */
const DATA_INTEGRITY_CONTEXT = 'https://w3id.org/security/data-integrity/v1';

/**
 * The activity exactly as it will be sent: with the Data Integrity context and a proof by `keyId` (our actor's
 * Multikey).
 */
export async function signActivity(
  activity: Activity,
  privateKey: CryptoKey,
  keyId: string,
  now: Date,
): Promise<JsonObject> {
  const context = activity['@context'] ?? AS_CONTEXT;
  const contexts = Array.isArray(context) ? context : [context];
  const withContext = contexts.includes(DATA_INTEGRITY_CONTEXT)
    ? activity
    : { ...activity, '@context': [...contexts, DATA_INTEGRITY_CONTEXT] };
  return createProof(withContext, privateKey, { verificationMethod: keyId, created: now });
}

/** What verifying an activity's proofs needs: Fedify's loaders (which cache in the KV store) and its lookup. */
export type ProofLoaders = Pick<Context<unknown>, 'documentLoader' | 'contextLoader' | 'lookupObject'>;

/**
 * Why the activity's proofs do not hold, or null when it has none or every one verifies with a
 * key of its actor. A proof is a claim about the activity: one that cannot be checked (another
 * cryptosuite, an unreachable key) is refused like one that fails.
 */
export async function proofRefusal(activity: JsonObject, loaders: ProofLoaders, now: Date): Promise<string | null> {
  const proofs = proofsOf(activity);
  if (proofs.length === 0) return null;
  const actor = idOf(activity.actor);
  if (!actor) return 'a proof needs an activity with an actor';
  for (const proof of proofs) {
    if (!isEddsaJcsProof(proof)) return 'only eddsa-jcs-2022 assertion proofs are accepted';
    const { key } = await fetchKey(proof.verificationMethod, Multikey, loaders).catch(() => ({ key: null }));
    if (!key?.publicKey || key.publicKey.algorithm.name !== 'Ed25519')
      return `no Ed25519 key was found at ${proof.verificationMethod}`;
    if (!(await verifyProof(activity, proof, key.publicKey, now)))
      return `the proof by ${proof.verificationMethod} does not verify`;
    if (!(await actorListsKey(actor, key, loaders)))
      return `${proof.verificationMethod} is not a key of the actor ${actor}`;
  }
  return null;
}

// Controlled Identifiers v1.0 §3.3 (retrieving a verification method): the key must name the actor
// as its controller, and the actor's own document must list it under the proof's purpose. A key
// document anyone can publish may claim any controller; only the actor's document can vouch for it.
async function actorListsKey(actor: string, key: Multikey, loaders: ProofLoaders): Promise<boolean> {
  if (key.controllerId?.href !== actor || !key.id) return false;
  const document = await loaders.lookupObject(actor).catch(() => null);
  return (
    isActor(document) &&
    document.id?.href === actor &&
    document.assertionMethodIds.some((id) => id.href === key.id!.href)
  );
}
