/** Row type of join requests (owned by `src/invitations/`). */

/** A request to join through a link that requires approval: who asked, and what was decided. */
export interface JoinRequestRow {
  id: string;
  tenant_id: string;
  invitation_id: string;
  /** The member key the acceptance would admit (`email:…`, `did:…`, `actor:…`, `subject:…`). */
  member_key: string;
  /** JSON: the acceptor as given, replayed into the acceptance at approval. */
  acceptor: string;
  /** Where the decision is mailed; null when the requester gave no address. */
  email: string | null;
  /** 'pending', 'approved' or 'declined'. */
  status: string;
  /** Why it was declined, as the decider wrote it. */
  reason: string | null;
  membership_id: string | null;
  /** The actor that decided (`api_key:…`). */
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}
