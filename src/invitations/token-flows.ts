import type { Kysely } from 'kysely';
import { startAhead, type Database, type Db, type Engine, type InvitationRow, type ShortMemory } from '#db';
import type { Clock } from '#common/clock';
import { issueAcceptanceToken, recallActiveSigningKey, type ActiveSigningKey } from '#acceptance';
import { recallInviter } from '#tenants';
import { isMembershipRace } from '#memberships';
import { newId } from '#common/ids';
import { admissionRefusal, startAdmissionProof } from './admission';
import { commitAcceptance } from './commit-acceptance';
import { commitTransition } from './commit-transition';
import { requireDidProof, type DidProofVerifier } from './did-challenges';
import { invitationError } from './errors';
import type { EventSink } from './events';
import type { LinkKey } from './links';
import { withLockedRow, type LockedWork } from './locked-row';
import { lockInvitationToAccept } from './accept-read';
import { findInvitationByToken, lockInvitationByToken } from './queries';
import { loadPublicView, publicView, type PublicInvitation } from './public-view';
import { invitedByOf } from './record';
import { acceptorKeyOf, type Redemption } from './redeem';
import type { AcceptInput } from './public-schemas';
import { findTakenSeat } from './taken-seat';
import { findByToken, tokenHashOf } from './tokens';
import { requestToJoin } from './join-request-flows';
import type { JoinRequest } from './join-requests';

/** What accepting produced. */
export interface AcceptResult {
  readonly invitationId: string;
  readonly invitation: PublicInvitation;
  readonly redemption: { readonly id: string; readonly createdAt: string };
  readonly membership: Redemption['membership'];
  /** True when a multi-use invitation gave the acceptor back the seat it had already given them (no use consumed). */
  readonly existingMembership: boolean;
  /** A short-lived EdDSA JWT the host application can verify against /.well-known/jwks.json. */
  readonly acceptanceToken: { readonly token: string; readonly expiresAt: string };
  /**
   * The invitation's redirect URL, else the tenant's, else null: where the accept page hands the token off
   * (form_post).
   */
  readonly redirectUrl: string | null;
}

/** What accepting a link that requires approval produced: the requester's join request, no membership yet. */
export interface JoinRequestAnswer {
  readonly invitationId: string;
  readonly invitation: PublicInvitation;
  readonly joinRequest: JoinRequest;
}

/** What the invitee's flows need: the service's own dependencies, less those of the operator's views. */
export interface TokenFlowDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly sink: EventSink;
  /** The server secret: mailed codes are derived from it and stored keyed with it. */
  readonly linkKey: LinkKey;
  /** Where the mail of a code to prove an address is queued, in the transaction that stores the code. */
  readonly mail: MailQueue;
  /** Checks the signed challenge a DID-bound invitation's acceptor sends; none: such invitations refuse every accept. */
  readonly verifyDidProof?: DidProofVerifier;
  /** Where inviters and signing keys read are remembered for a moment. */
  readonly memory: ShortMemory;
}

/** The narrow part of the outbox the invitee's flows write to: delivery's outbox satisfies it. */
export interface MailQueue {
  enqueue(
    trx: Db,
    items: readonly { tenantId: string; invitationId: string; topic: string; payload: Record<string, unknown> }[],
    now: Date,
  ): Promise<unknown>;
}

/**
 * Runs an accept once more when its grant met a membership another transaction gave the same member after the accept
 * read it (`isMembershipRace`): the first try wrote nothing, and the second reads that membership and renews it. A
 * second race in a row is answered as any concurrent change is, 409 `concurrent_update`.
 */
async function againAfterMembershipRace<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isMembershipRace(error)) throw error;
      if (tries === 2) throw invitationError('concurrent_update');
    }
  }
}

const unknownLink = (field: string) => invitationError('invitation_not_found', 'unknown invitation link', field);

/** The invitee's side of the service: what whoever holds a link's token may see and do with it. */
export function createTokenFlows(deps: TokenFlowDeps) {
  const { db, engine, clock, publicUrl, sink, linkKey, memory } = deps;
  const invitee = { kind: 'invitee' } as const;

  /** Runs `work` on what `lock` reads, the invitation a live link opens locked, inside one transaction. */
  async function withLockedRead<T, L>(
    token: string,
    lock: (trx: Kysely<Database>, tokenHash: string) => Promise<L | null>,
    work: (trx: Kysely<Database>, locked: L) => Promise<T>,
  ): Promise<T> {
    const hash = tokenHashOf(token);
    if (!hash) throw unknownLink('path.token');
    return withLockedRow(
      db,
      (trx) => lock(trx, hash),
      () => unknownLink('path.token'),
      work,
    );
  }

  /** Runs `work` on the invitation a live link opens, locked, inside one transaction. */
  const withLockedToken = <T>(token: string, work: LockedWork<T>): Promise<T> =>
    withLockedRead(token, (trx, hash) => lockInvitationByToken(trx, engine, hash), work);

  /** The signed acceptance token of one redemption, stored in the accepting transaction. */
  function issueFor(
    trx: Kysely<Database>,
    accepted: InvitationRow,
    redemption: Redemption,
    now: Date,
    again: boolean,
    signingKey?: Promise<ActiveSigningKey>,
  ) {
    const { membership } = redemption;
    const target = { type: accepted.target_type, iri: accepted.target_iri, name: accepted.target_name };
    return issueAcceptanceToken(
      trx,
      {
        tenantId: accepted.tenant_id,
        issuer: publicUrl,
        invitationId: accepted.id,
        redemptionId: redemption.id,
        ...(again ? { tokenId: newId(now.getTime()) } : {}),
        target,
        role: membership.role,
        rules: membership.rules,
        recipient: membership.member,
        membershipId: membership.id,
        invitedBy: invitedByOf(accepted),
      },
      now,
      signingKey,
    );
  }

  return {
    /** Which invitation a link's token opens; unknown tokens are a 404. */
    async locateToken(token: string): Promise<{ tenantId: string; id: string }> {
      const found = await findByToken(db, token);
      if (!found) throw unknownLink('body.token');
      return { tenantId: found.tenantId, id: found.invitationId };
    },

    /** What the accept page shows. A read: it never changes the invitation. */
    async viewByToken(token: string): Promise<PublicInvitation> {
      const hash = tokenHashOf(token);
      const row = hash ? await findInvitationByToken(db, hash) : null;
      if (!row) throw unknownLink('path.token');
      const inviter = recallInviter(memory, db, row.tenant_id, row.identity_id);
      return (await loadPublicView(db, row, clock.now(), inviter)).view;
    },

    /**
     * Accepts by the link's token: one redemption, one membership, under any concurrency. On a multi-use
     * invitation, someone who already holds a seat from it gets that seat back and a new token, consuming no use.
     * On one that requires approval, anyone else gets a join request instead (join-request-flows.ts).
     */
    async acceptByToken(token: string, input: AcceptInput): Promise<AcceptResult | JoinRequestAnswer> {
      // The proofs are spent here, never stored with the redemption.
      const { emailCode, emailAssertion, didProof, ...acceptor } = input;
      const acceptorKey = acceptorKeyOf(acceptor);
      const attempt = () =>
        withLockedRead(
          token,
          (trx, hash) => lockInvitationToAccept(trx, engine, hash, acceptorKey),
          async (trx, { row, seat }) => {
            const now = clock.now();
            // Needed once it has accepted, and known now: read with the statements the acceptance sends anyway.
            const signingKey = startAhead(trx, (early) => recallActiveSigningKey(memory, early, row.tenant_id, now));
            const inviter = startAhead(trx, (early) => recallInviter(memory, early, row.tenant_id, row.identity_id));
            sink.ahead?.(trx, row.tenant_id);
            await requireDidProof(trx, row, didProof, deps.verifyDidProof, now);
            const refused = await admissionRefusal(trx, linkKey, row, { ...acceptor, emailCode, emailAssertion }, now);
            if (refused) return { refused };
            const taken = await findTakenSeat(trx, row, acceptor, now, seat);
            if (!taken && row.require_approval === 1) {
              const joinRequest = await requestToJoin(trx, row, acceptor, { now, sink });
              return { invitationId: row.id, invitation: await publicView(trx, row, now), joinRequest };
            }
            const { row: accepted, redemption } = taken
              ? { row, redemption: taken }
              : await commitAcceptance(trx, row, acceptor, { now, actor: invitee, sink, seat });
            const issued = await issueFor(trx, accepted, redemption, now, taken !== null, signingKey);
            const { view, tenant } = await loadPublicView(trx, accepted, now, inviter);
            return {
              invitationId: accepted.id,
              invitation: view,
              redemption: { id: redemption.id, createdAt: redemption.createdAt },
              membership: redemption.membership,
              existingMembership: taken !== null,
              acceptanceToken: { token: issued.token, expiresAt: issued.expiresAt },
              redirectUrl: accepted.redirect_url ?? tenant.settings.redirectUrl,
            };
          },
        );
      const outcome = await againAfterMembershipRace(attempt);
      // A wrong code's attempt is committed with the transaction; only then is the acceptor refused.
      if ('refused' in outcome) throw outcome.refused;
      return outcome;
    },

    /**
     * Mails a one-time code to `email` to prove it on a link with allowed domains; the answer says nothing more
     * than that it was queued. The code and its mail commit together.
     */
    async requestEmailCode(token: string, email: string): Promise<{ readonly expiresAt: string }> {
      return withLockedToken(token, async (trx, row) => {
        const now = clock.now();
        const proof = await startAdmissionProof(trx, linkKey, row, email, now);
        const item = {
          tenantId: row.tenant_id,
          invitationId: row.id,
          topic: 'email.code',
          payload: { proofId: proof.id },
        };
        await deps.mail.enqueue(trx, [item], now);
        return { expiresAt: proof.expiresAt };
      });
    },

    /** Declines by the link's token; the answer is what the accept page shows next. */
    async declineByToken(token: string): Promise<PublicInvitation> {
      return withLockedToken(token, async (trx, row) => {
        const now = clock.now();
        const { row: declined } = await commitTransition(trx, row, 'decline', { now, actor: invitee, sink });
        return publicView(trx, declined, now);
      });
    },
  };
}
