/**
 * Proven's fields ↔ Usher's. Create and update bodies become the native inputs and go through
 * the native schema, so every limit is the core's; stored invitations become Proven records.
 */
import { z } from '@hono/zod-openapi';
import { parseJson } from '#common/json';
import { DidcommOptionsSchema } from '#didcomm';
import {
  InvitationFieldsSchema,
  type CreateInvitationInput,
  type Invitation,
  type InvitationService,
} from '#invitations';
import { describeIssues, provenError } from './errors';
import type { CreateBody, ProvenInvitation, UpdateBody } from './schemas';

type UpdatePatch = Parameters<InvitationService['update']>[2];
type HandshakeProtocol = 'didexchange/1.1' | 'didexchange/1.0' | 'connections/1.0';

/** An invitation as the core shows it, with its public URL (null for ones we received). */
export type InvitationWithPublicUrl = Invitation & { readonly invitationUrl: string | null };

// The URI form (RFC 0434 handshake_protocols), its older did:sov spelling, or the bare name/version.
const HANDSHAKE =
  /^(?:https:\/\/didcomm\.org\/|did:sov:BzCbsNYhMrjHiqZDTUASHg;spec\/)?(didexchange\/1\.[01]|connections\/1\.0)\/?$/;

/** Usher's name for a Proven handshake_protocol; refuses one Usher does not speak. */
export function toHandshakeProtocol(value: string): HandshakeProtocol {
  const match = HANDSHAKE.exec(value.trim());
  if (!match)
    throw provenError(
      'validation_failed',
      `"${value}" is not a handshake Usher speaks: https://didcomm.org/didexchange/1.1, …/didexchange/1.0 or …/connections/1.0`,
      'handshake_protocol',
    );
  return match[1] as HandshakeProtocol;
}

/**
 * uses_allowed wins; else multi-use and public mean unlimited (null); undefined leaves the core's default, single-use.
 */
function usesAllowedOf(body: CreateBody): number | null | undefined {
  if (body.uses_allowed != null) {
    if (body.invitation_mode === 'once' && body.uses_allowed !== 1)
      throw provenError('validation_failed', 'invitation_mode "once" allows one use', 'uses_allowed');
    return body.uses_allowed;
  }
  if (body.invitation_mode === 'once') return 1;
  if (body.invitation_mode === 'multi-use' || body.invitation_mode === 'multi' || body.public) return null;
  return undefined;
}

/** A native create of the didcomm channel, the only one Proven makes. */
const DidcommCreateSchema = InvitationFieldsSchema.extend({
  channel: z.literal('didcomm'),
  didcomm: DidcommOptionsSchema.optional(),
});

/** The native create input for a Proven create body: always a didcomm invitation. */
export function toCreateInput(body: CreateBody): CreateInvitationInput {
  const usesAllowed = usesAllowedOf(body);
  const optional = {
    role: body.invitation_role,
    label: body.invitation_label,
    description: body.invitation_description,
    purpose: body.purpose,
    public: body.public,
    startsAt: body.invitation_active_starting_at,
    expiresAt: body.invitation_active_ending_at,
  };
  const native = {
    channel: 'didcomm',
    didcomm: {
      ...(body.handshake_protocol != null
        ? { handshakeProtocols: [toHandshakeProtocol(body.handshake_protocol)] }
        : {}),
      ...(body.alias != null ? { alias: body.alias } : {}),
    },
    ...(body.contact_id != null ? { recipient: { contactId: body.contact_id } } : {}),
    // Proven clients send null for "not given"; the native schema reads absence, not null, that way.
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value != null)),
    ...(usesAllowed !== undefined ? { usesAllowed } : {}),
  };
  const parsed = DidcommCreateSchema.safeParse(native);
  if (!parsed.success) throw provenError('validation_failed', describeIssues(parsed.error, 'json', 'create'));
  return parsed.data;
}

/** One value checked by the native create schema's own field, so update refuses exactly what create does. */
function nativeField<K extends keyof typeof InvitationFieldsSchema.shape>(
  name: K,
  value: unknown,
  provenName: string,
): z.output<(typeof InvitationFieldsSchema.shape)[K]> {
  const result = InvitationFieldsSchema.shape[name].safeParse(value);
  if (!result.success)
    throw provenError('validation_failed', result.error.issues.map((issue) => issue.message).join('; '), provenName);
  return result.data as z.output<(typeof InvitationFieldsSchema.shape)[K]>;
}

/** The native patch for a Proven update body (without workflow_status, which the service maps to revoke). */
export function toUpdatePatch(body: Omit<UpdateBody, 'workflow_status'>): UpdatePatch {
  return {
    ...(body.description !== undefined
      ? { description: body.description === null ? null : nativeField('description', body.description, 'description') }
      : {}),
    ...(body.purpose !== undefined
      ? { purpose: body.purpose === null ? null : nativeField('purpose', body.purpose, 'purpose') }
      : {}),
    ...(body.active_starting_at !== undefined
      ? {
          startsAt:
            body.active_starting_at === null
              ? null
              : nativeField('startsAt', body.active_starting_at, 'active_starting_at'),
        }
      : {}),
    ...(body.active_ending_at !== undefined
      ? { expiresAt: nativeField('expiresAt', body.active_ending_at, 'active_ending_at') }
      : {}),
    ...(body.uses_allowed !== undefined
      ? { usesAllowed: nativeField('usesAllowed', body.uses_allowed, 'uses_allowed') }
      : {}),
  };
}

/** A handshake as its https://didcomm.org/ URI, whichever spelling the invitation used. */
const asUri = (protocol: string): string => {
  const match = HANDSHAKE.exec(protocol);
  return match ? `https://didcomm.org/${match[1]}` : protocol;
};

/**
 * The handshake an invitation offers first, as a URI, and our alias for its connections. Ours
 * store Usher's names in their payload (didcomm's DidcommInvitationPayload); received ones store
 * the agent's message as it came (RFC 0434 handshake_protocols, or an RFC 0160 invitation).
 */
function offerOf(invitation: Invitation, payload: string | null): { handshake: string | null; alias: string | null } {
  if (invitation.direction === 'outgoing') {
    const ours = parseJson<{ handshakeProtocols?: string[]; alias?: string | null } | null>(payload, null);
    const first = ours?.handshakeProtocols?.[0];
    return { handshake: first ? asUri(first) : null, alias: ours?.alias ?? null };
  }
  const message = parseJson<Record<string, unknown> | null>(payload, null);
  const offered = Array.isArray(message?.handshake_protocols)
    ? message.handshake_protocols.find((p): p is string => typeof p === 'string')
    : undefined;
  // An RFC 0160 invitation (?c_i=) offers no list: it is Connections 1.0 by its type.
  const legacy = typeof message?.['@type'] === 'string' && message['@type'].endsWith('connections/1.0/invitation');
  return { handshake: offered ? asUri(offered) : legacy ? 'https://didcomm.org/connections/1.0' : null, alias: null };
}

/** A stored didcomm invitation as Proven's record; `payload` is its stored protocol payload. */
export function toProvenInvitation(invitation: InvitationWithPublicUrl, payload: string | null): ProvenInvitation {
  // Proven's views read only numbered invitations (queries.ts), and every invitation has been numbered since 0006.
  if (invitation.number === null) throw new Error(`invitation ${invitation.id} has no number`);
  const { handshake, alias } = offerOf(invitation, payload);
  return {
    invitation_id: invitation.number,
    invitation_type: 'OOB',
    invitation_url: invitation.invitationUrl,
    contact_id: invitation.recipient.contactId,
    handshake_protocol: handshake,
    alias,
    invitation_mode: invitation.usesAllowed === 1 ? 'once' : 'multi-use',
    // Usher answers every handshake request itself (a request is the redemption).
    accept: 'auto',
    public: invitation.public,
    invitation_role: invitation.role,
    invitation_label: invitation.label,
    invitation_status: invitation.status,
    // The open statuses of the lifecycle: the ones an invitation can still be used in.
    workflow_status: invitation.status === 'pending' || invitation.status === 'tentative' ? 'active' : 'inactive',
    invitation_description: invitation.description,
    purpose: invitation.purpose,
    invitation_active_starting_at: invitation.startsAt,
    invitation_active_ending_at: invitation.expiresAt,
    uses_allowed: invitation.usesAllowed,
    uses_count: invitation.usesCount,
    their_role: invitation.direction === 'outgoing' ? 'invitee' : 'inviter',
    usher_id: invitation.id,
    created_at: invitation.createdAt,
    updated_at: invitation.updatedAt,
  };
}
