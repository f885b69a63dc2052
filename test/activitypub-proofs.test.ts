/**
 * Object Integrity Proofs (FEP-8b32, eddsa-jcs-2022) between Usher and independent Fedify
 * servers. Fedify verifies Usher's proofs with its own code: one peer has the HTTP signatures
 * taken off every request before its inbox sees it, so only a proof Fedify verified lets an
 * activity in. Usher checks the proofs Fedify makes, and refuses, changing nothing, the ones
 * that do not hold: a body altered after signing, a key that did not sign it, a key of
 * another actor, a key document that merely claims the actor.
 */
import { generateCryptoKeyPair } from '@fedify/fedify';
import { signObject, signRequest } from '@fedify/fedify/sig';
import { Multikey, type Activity } from '@fedify/fedify/vocab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '#support/api-client';
import { startFedifyPeer, type FedifyPeer } from '#support/fedify-peer';
import { startUsher, stopAllUshers } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

describeEachStore('Object Integrity Proofs between Usher and Fedify', (engine) => {
  let usher: ApiClient;
  let peer: FedifyPeer;
  let strict: FedifyPeer;
  let scratch: ScratchDatabase;
  let usherActor: string;
  const incomingFrom = async (actor: string) =>
    ((await usher.call('GET', '/v1/invitations?direction=incoming&channel=activitypub')).body.data as any[]).filter(
      (i) => i.recipient.actorIri === actor,
    );

  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    const process = await startUsher({
      databaseUrl: scratch.url,
      env: { USHER_ALLOW_PRIVATE_NETWORK: 'true', USHER_LOG_LEVEL: 'warn' },
      startupTimeoutMs: 40_000,
    });
    usher = apiClient(process);
    [peer, strict] = await Promise.all([startFedifyPeer(), startFedifyPeer({ proofsOnly: true })]);
    usherActor = `${process.url}/ap/users/${(await usher.call('GET', '/v1/identities')).body.data[0].handle}`;
  });
  afterAll(async () => {
    await Promise.all([peer?.close(), strict?.close()]);
    await stopAllUshers();
    await scratch?.drop();
  });

  it('Fedify, with no HTTP signature to go by, verifies the proof on every kind of activity Usher sends', async () => {
    const target = { type: 'project', iri: 'https://usher-tenant.example/projects/apollo', name: 'Apollo' };
    const created = (
      await usher.call('POST', '/v1/invitations', {
        channel: 'activitypub',
        recipient: { actorIri: strict.actor },
        target,
        role: 'contributor',
      })
    ).body;
    const invite = await strict.waitFor((a) => a.type === 'Invite' && a.id === created.url);
    // What arrived is Usher's own JSON, instrument and all, with the proof over it.
    expect(invite.body).toMatchObject({
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/data-integrity/v1'],
      instrument: 'contributor',
      proof: {
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-jcs-2022',
        proofPurpose: 'assertionMethod',
        verificationMethod: `${usherActor}#multikey-2`,
        proofValue: expect.stringMatching(/^z/),
      },
    });
    await usher.call('POST', `/v1/invitations/${created.id}/revoke`);
    await strict.waitFor((a) => a.type === 'Undo' && a.objectId === created.url);

    // Answers to the strict peer's own Invites: Accept, TentativeAccept, Reject.
    const usherActorObject = await strict.lookupActor(usherActor);
    for (const [n, answer] of [
      ['1', 'accept'],
      ['2', 'tentative-accept'],
      ['3', 'decline'],
    ] as const) {
      await strict.send(
        usherActorObject,
        new strict.vocab.Invite({
          id: new URL(`${strict.url}/invites/${n}`),
          actor: new URL(strict.actor),
          object: new URL(usherActor),
          to: new URL(usherActor),
        }),
      );
      const list = await usher.until(
        () => incomingFrom(strict.actor),
        (found) => found.some((i) => i.status === 'pending'),
        `the strict peer's Invite ${n}`,
      );
      const arrived = list.find((i) => i.status === 'pending');
      expect((await usher.call('POST', `/v1/invitations/${arrived.id}/${answer}`)).status).toBe(200);
    }
    for (const [type, n] of [
      ['Accept', '1'],
      ['TentativeAccept', '2'],
      ['Reject', '3'],
    ]) {
      const answer = await strict.waitFor((a) => a.type === type && a.objectId === `${strict.url}/invites/${n}`);
      expect(answer.body).toMatchObject({
        actor: usherActor,
        proof: { verificationMethod: `${usherActor}#multikey-2` },
      });
    }

    // The strict peer is not taking everything: the same Invite altered, or without its proof, is refused.
    const { proof, ...unproven } = invite.body!;
    for (const forged of [
      { ...invite.body, id: `${created.url}-altered`, instrument: 'admin' },
      { ...unproven, id: `${created.url}-unproven` },
    ]) {
      const response = await fetch(strict.inbox, {
        method: 'POST',
        headers: { 'content-type': 'application/activity+json' },
        body: JSON.stringify(forged),
      });
      expect(response.status).toBe(401);
    }
    expect(proof).toBeDefined();
    expect(strict.received.filter((a) => a.id?.startsWith(created.url))).toHaveLength(1);
  });

  describe('proofs on what arrives at Usher', () => {
    const inbox = () => `${usherActor}/inbox`;
    const invite = (n: string) =>
      new peer.vocab.Invite({
        id: new URL(`${peer.url}/invites/proof-${n}`),
        actor: new URL(peer.actor),
        object: new URL(usherActor),
        target: new URL(`${peer.url}/events/${n}`),
        to: new URL(usherActor),
      });
    // Fedify's own signer makes the proof; the request is then HTTP-signed over the body as given, so only the proof
    // can be at fault.
    const proven = async (
      activity: Activity,
      key: CryptoKey = peer.keys[1]!.privateKey,
      keyId: string = peer.multikeyId,
    ) =>
      (await (await signObject(activity, key, new URL(keyId))).toJsonLd({ format: 'compact' })) as Record<string, any>;
    const post = async (json: Record<string, unknown>) => {
      const text = JSON.stringify(json);
      const request = await signRequest(
        new Request(inbox(), { method: 'POST', body: text, headers: { 'content-type': 'application/activity+json' } }),
        peer.keys[0]!.privateKey,
        new URL(peer.keyId),
        {
          spec: 'draft-cavage-http-signatures-12',
        },
      );
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: text });
      return { status: response.status, body: await response.json().catch(() => null) };
    };

    it('takes an activity whose proof verifies by a key its actor lists', async () => {
      const json = await proven(invite('good'));
      expect(json.proof).toMatchObject({ cryptosuite: 'eddsa-jcs-2022', verificationMethod: peer.multikeyId });
      expect((await post(json)).status).toBe(202);
      await usher.until(
        () => incomingFrom(peer.actor),
        (list) => list.some((i) => i.target?.iri === `${peer.url}/events/good`),
        'the proven Invite recorded',
      );
    });

    it("refuses a proof over another body, by the wrong key, by another actor's key, or by a key document that only claims the actor, changing nothing", async () => {
      const before = (await incomingFrom(peer.actor)).length;
      const tampered = await proven(invite('tampered'));
      tampered.target = `${peer.url}/events/elsewhere`;
      const stranger = await generateCryptoKeyPair('Ed25519');
      const rogueKey = peer.publish(
        '/keys/rogue',
        await new Multikey({
          id: new URL(`${peer.url}/keys/rogue`),
          controller: new URL(peer.actor),
          publicKey: peer.other.keys[1]!.publicKey,
        }).toJsonLd(),
      );
      const unsupported = await proven(invite('suite'));
      unsupported.proof.cryptosuite = 'eddsa-rdfc-2022';
      const cases: [Record<string, unknown>, RegExp][] = [
        [tampered, /does not verify/],
        [await proven(invite('wrong-key'), stranger.privateKey), /does not verify/],
        [
          await proven(invite('other-actor'), peer.other.keys[1]!.privateKey, peer.other.multikeyId),
          /is not a key of the actor/,
        ],
        [await proven(invite('rogue-key'), peer.other.keys[1]!.privateKey, rogueKey), /is not a key of the actor/],
        [unsupported, /eddsa-jcs-2022/],
      ];
      for (const [json, reason] of cases) {
        const refused = await post(json);
        expect(refused, String(json.id)).toMatchObject({
          status: 401,
          body: { code: 'proof_invalid', field: 'proof', detail: expect.stringMatching(reason) },
        });
      }
      expect(await incomingFrom(peer.actor)).toHaveLength(before);
      // Nothing of the refused one was kept: the same activity, proven properly, is new to Usher.
      expect((await post(await proven(invite('tampered')))).status).toBe(202);
      await usher.until(
        () => incomingFrom(peer.actor),
        (list) => list.length === before + 1,
        'the properly proven copy recorded',
      );
    });
  });
});
