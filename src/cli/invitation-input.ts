import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Schemas } from '#sdk';
import { usageError } from './errors';
import { collect, definedOnly, integerBetween, isoTime } from './options';

type CreateInvitation = Schemas['CreateInvitation'];

/** The channels an invitation can travel by, checked against the SDK's types. */
export const CHANNELS = ['email', 'link', 'didcomm', 'activitypub', 'provider'] as const satisfies readonly NonNullable<
  CreateInvitation['channel']
>[];
const TARGET_TYPES = [
  'tenant',
  'project',
  'event',
  'group',
] as const satisfies readonly Schemas['TargetInput']['type'][];
const HANDSHAKES = ['didexchange/1.1', 'didexchange/1.0', 'connections/1.0'] as const;

/** The flags that describe an invitation, as parsed by commander. */
export interface InvitationFlags {
  readonly channel?: CreateInvitation['channel'];
  readonly email?: string;
  readonly name?: string;
  readonly contact?: string;
  readonly actor?: string;
  readonly did?: string;
  readonly provider?: string;
  readonly providerUser?: string;
  readonly providerAccount?: string;
  readonly targetType?: (typeof TARGET_TYPES)[number];
  readonly targetIri?: string;
  readonly targetName?: string;
  readonly role?: string;
  readonly rule?: string[];
  readonly message?: string;
  readonly label?: string;
  readonly description?: string;
  readonly purpose?: string;
  readonly public?: boolean;
  readonly uses?: number | 'unlimited';
  readonly startsAt?: string;
  readonly expiresAt?: string;
  readonly locale?: string;
  readonly identity?: string;
  readonly invitedBy?: string;
  readonly invitedById?: string;
  readonly invitedByEmail?: string;
  readonly redirectUrl?: string;
  readonly metadata?: string[];
  readonly handshake?: (typeof HANDSHAKES)[number][];
  readonly goalCode?: string;
  readonly goal?: string;
  readonly allowedDomain?: string[];
}

// Commander turns a parser's null into '', so "unlimited" stays a word until the body is built.
const usesAllowed = (value: string): number | 'unlimited' =>
  value === 'unlimited' ? value : integerBetween(1, 1_000_000)(value);

const OPTIONS = {
  channel: () =>
    new Option(
      '--channel <channel>',
      'how it travels (default email; activitypub with --actor, provider with --provider)',
    ).choices(CHANNELS),
  email: () => new Option('--email <address>', "the recipient's email address"),
  name: () => new Option('--name <name>', "the recipient's name"),
  contact: () => new Option('--contact <id>', 'a contact of the tenant; fills in its email'),
  actor: () => new Option('--actor <iri|@handle>', 'fediverse recipient: an actor IRI or @user@host (activitypub)'),
  did: () => new Option('--did <did>', "the recipient's DID"),
  provider: () =>
    new Option('--provider <name>', 'provider channel: linkedin, or usher for an identity of this server'),
  providerUser: () => new Option('--provider-user <id>', "provider channel: the provider's id for the person"),
  providerAccount: () => new Option('--provider-account <id>', 'provider channel: the provider account that sends it'),
  targetType: () =>
    new Option('--target-type <type>', 'what the invitee joins (default: the tenant)').choices(TARGET_TYPES),
  targetIri: () => new Option('--target-iri <iri>', 'where the project, event or group lives'),
  targetName: () => new Option('--target-name <name>', "the project, event or group's name"),
  role: () => new Option('--role <role>', 'role granted on acceptance'),
  rule: () => new Option('--rule <rule>', 'a finer-grained role (repeatable)').argParser(collect),
  message: () => new Option('--message <text>', 'a personal note shown to the invitee'),
  label: () => new Option('--label <label>', 'a label for the invitation'),
  description: () => new Option('--description <text>', 'a description'),
  purpose: () => new Option('--purpose <id>', 'an identifier of your choosing, unique per tenant'),
  public: () => new Option('--public', 'may be shown to anyone, e.g. as a QR code'),
  uses: () => new Option('--uses <n|unlimited>', 'how many acceptances it allows (default 1)').argParser(usesAllowed),
  startsAt: () => new Option('--starts-at <time>', 'not accepted before this ISO-8601 time').argParser(isoTime),
  expiresAt: () => new Option('--expires-at <time>', 'not accepted from this ISO-8601 time on').argParser(isoTime),
  locale: () => new Option('--locale <tag>', 'BCP 47 language for the invitee'),
  identity: () => new Option('--identity <id>', "the inviting identity (default: the tenant's default)"),
  invitedBy: () =>
    new Option('--invited-by <name>', "your application's user who sends it (default: the identity's name)"),
  invitedById: () => new Option('--invited-by-id <id>', "that user's id in your application (with --invited-by)"),
  invitedByEmail: () =>
    new Option('--invited-by-email <address>', "that user's address, offered to the invitee (with --invited-by)"),
  redirectUrl: () =>
    new Option('--redirect-url <url>', "where accepting hands off the signed token (default: the tenant's)"),
  metadata: () =>
    new Option('--metadata <key=value>', 'free-form data for your application (repeatable)').argParser(collect),
  handshake: () =>
    new Option(
      '--handshake <protocol>',
      `didcomm: a handshake protocol to offer, ${HANDSHAKES.join(' | ')} (repeatable, in order)`,
    ).argParser(collectHandshake),
  goalCode: () => new Option('--goal-code <code>', 'didcomm: RFC 0434 goal_code, e.g. aries.rel.build'),
  goal: () => new Option('--goal <text>', 'didcomm: RFC 0434 goal, for people'),
  allowedDomain: () =>
    new Option(
      '--allowed-domain <domain>',
      'link: only proved addresses at this domain may accept (repeatable; exact match, no subdomains)',
    ).argParser(collect),
} satisfies Record<keyof InvitationFlags, () => Option>;

function collectHandshake(value: string, previous: string[] = []): string[] {
  if (!(HANDSHAKES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${HANDSHAKES.join(', ')}`);
  return [...previous, value];
}

/** Adds the named invitation flags (every one by default) to a command. */
export function addInvitationOptions(
  command: Command,
  names: readonly (keyof InvitationFlags)[] = Object.keys(OPTIONS) as (keyof InvitationFlags)[],
): Command {
  for (const name of names) command.addOption(OPTIONS[name]());
  return command;
}

/** The CreateInvitation body the flags describe; only what was given, so the server's defaults apply to the rest. */
export function invitationFromFlags(flags: InvitationFlags): CreateInvitation {
  const recipient = definedOnly({
    email: flags.email,
    name: flags.name,
    contactId: flags.contact,
    did: flags.did,
    ...actorOf(flags.actor),
    provider: flags.provider
      ? definedOnly({ provider: flags.provider, userId: flags.providerUser ?? '', accountId: flags.providerAccount })
      : undefined,
  }) as Schemas['RecipientInput'];
  const didcomm = definedOnly({ handshakeProtocols: flags.handshake, goalCode: flags.goalCode, goal: flags.goal });
  return definedOnly({
    // Naming a fediverse actor or a provider user says the channel; asking for --channel as well would be a chore.
    channel: flags.channel ?? (flags.provider ? 'provider' : flags.actor ? 'activitypub' : undefined),
    recipient: Object.keys(recipient).length > 0 ? recipient : undefined,
    target: targetOf(flags),
    role: flags.role,
    rules: flags.rule,
    message: flags.message,
    label: flags.label,
    description: flags.description,
    purpose: flags.purpose,
    public: flags.public,
    usesAllowed: flags.uses === 'unlimited' ? null : flags.uses,
    startsAt: flags.startsAt,
    expiresAt: flags.expiresAt,
    locale: flags.locale,
    identityId: flags.identity,
    invitedBy: invitedByOf(flags),
    redirectUrl: flags.redirectUrl,
    metadata: flags.metadata ? metadataOf(flags.metadata) : undefined,
    didcomm: Object.keys(didcomm).length > 0 ? (didcomm as Schemas['DidcommOptions']) : undefined,
    allowedDomains: flags.allowedDomain,
  }) as CreateInvitation;
}

function invitedByOf(flags: InvitationFlags): Schemas['InvitedByInput'] | undefined {
  if (flags.invitedBy === undefined) {
    if (flags.invitedById !== undefined || flags.invitedByEmail !== undefined)
      throw usageError('--invited-by-id and --invited-by-email need --invited-by <name>');
    return undefined;
  }
  return definedOnly({
    name: flags.invitedBy,
    id: flags.invitedById,
    email: flags.invitedByEmail,
  }) as Schemas['InvitedByInput'];
}

function actorOf(actor: string | undefined): { actorIri?: string; actorHandle?: string } {
  if (actor === undefined) return {};
  return /^https?:\/\//.test(actor) ? { actorIri: actor } : { actorHandle: actor };
}

function targetOf(flags: InvitationFlags): Schemas['TargetInput'] | undefined {
  if (flags.targetType === undefined) {
    if (flags.targetIri !== undefined || flags.targetName !== undefined)
      throw usageError('--target-iri and --target-name need --target-type project|event|group');
    return undefined;
  }
  if (flags.targetType === 'tenant') return { type: 'tenant' };
  return { type: flags.targetType, iri: flags.targetIri ?? '', name: flags.targetName ?? '' };
}

function metadataOf(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw usageError(`--metadata expects key=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
