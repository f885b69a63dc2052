/** Pages people see: the accept page behind every invitation link, and the operator console. */
export { createAcceptPageRoutes } from './routes';
export { createConsoleRoutes } from './console/routes';
export { pruneSessions } from './console/sessions';
export { webPagePolicies } from './content-policy';
export { HAND_OFF_SCRIPT } from './hand-off-page';
export { rateLimitedPage } from './rate-limited-page';
import { createContactPages } from './console/contacts-pages';
import { createIdentityPages } from './console/identities-pages';
import { createJoinRequestPages } from './console/join-requests-page';
import { createKeyPages } from './console/keys-pages';
import { createMailboxPage } from './console/mailbox-page';
import { createAuditPage } from './console/audit-page';
import { createSettingsPages } from './console/settings-pages';
import { createWebhookPages } from './console/webhooks-pages';

/** The console's pages beyond invitations and the funnel, in navigation order. */
export const CONSOLE_PAGES = [
  createJoinRequestPages,
  createContactPages,
  createIdentityPages,
  createWebhookPages,
  createKeyPages,
  createSettingsPages,
  createMailboxPage,
  createAuditPage,
] as const;
