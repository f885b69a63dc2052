/**
 * Proven's names for the fields the core reports on. The core names what it refuses by its
 * own paths (`body.expiresAt`); a Proven client sent `invitation_active_ending_at`, and the
 * same core field has another Proven name on update than on create.
 */
const CREATE_NAMES: Readonly<Record<string, string>> = {
  recipient: 'contact_id',
  'recipient.contactId': 'contact_id',
  // The one-pending-invitation rule names the contact's email; the caller gave the contact.
  'recipient.email': 'contact_id',
  didcomm: 'handshake_protocol',
  'didcomm.handshakeProtocols': 'handshake_protocol',
  'didcomm.alias': 'alias',
  role: 'invitation_role',
  label: 'invitation_label',
  description: 'invitation_description',
  purpose: 'purpose',
  public: 'public',
  usesAllowed: 'uses_allowed',
  startsAt: 'invitation_active_starting_at',
  expiresAt: 'invitation_active_ending_at',
  invitationUrl: 'invitation_url',
};

const UPDATE_NAMES: Readonly<Record<string, string>> = {
  description: 'description',
  purpose: 'purpose',
  usesAllowed: 'uses_allowed',
  startsAt: 'active_starting_at',
  expiresAt: 'active_ending_at',
};

/** Which Proven body a core field came from. */
export type ProvenOperation = 'create' | 'update';

/**
 * The Proven name of a field the core names by its path (`body.expiresAt`, `path.id`). A name
 * without a location prefix is already Proven's (this surface's own refusals) and is kept.
 */
export function provenFieldName(path: string, operation: ProvenOperation): string {
  const match = /^(body|query|path|header)\.(.+)$/.exec(path);
  if (!match) return path;
  const bare = match[2]!;
  if (bare === 'id') return 'invitation_id';
  return (operation === 'update' ? UPDATE_NAMES : CREATE_NAMES)[bare] ?? bare;
}
