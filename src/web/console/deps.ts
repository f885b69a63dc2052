import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import type { InvitationService } from '#invitations';
import type { WebhookPinger } from '#delivery';
import type { SignInGuard } from '#limits';
import { auditOfKey, type Audit, type AuditTrail } from '#audit';
import type { ConsoleSession } from './sessions';

/** What the console's pages need: the same services the API uses, never a second copy of the rules. */
export interface ConsoleDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly invitations: InvitationService;
  readonly pinger: WebhookPinger;
  /** Lets branding and redirect URLs be plain http, as the API does. */
  readonly allowPrivateNetwork: boolean;
  /** Locks a client out of sign-in after repeated failures; none in-process, where there is no client. */
  readonly signInGuard?: SignInGuard;
  /** Where the console's changes are recorded, as made with the session's key through the console. */
  readonly audit?: AuditTrail;
}

/** The audit trail bound to a session (surface `console`); none when the console runs without one (page tests). */
export const consoleAudit = (deps: ConsoleDeps, session: ConsoleSession): Audit | undefined =>
  deps.audit ? auditOfKey(deps.audit, session, 'console') : undefined;
