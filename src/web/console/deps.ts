import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import type { InvitationService } from '#invitations';
import type { WebhookPinger } from '#delivery';
import type { SignInGuard } from '#limits';

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
}
