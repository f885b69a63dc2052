import type { Migration } from 'kysely';
import * as core from './0001-core';
import * as delivery from './0002-delivery';
import * as console from './0003-console';
import * as didcomm from './0004-didcomm';
import * as activitypub from './0005-activitypub';
import * as compat from './0006-compat';
import * as providers from './0007-providers';
import * as listIndexes from './0008-list-indexes';
import * as provenDeletions from './0009-proven-deletions';
import * as didcommRouting from './0010-didcomm-routing';
import * as hotPathIndexes from './0014-hot-path-indexes';
import * as channelIndex from './0015-channel-index';
import * as partialRecipientIndexes from './0016-partial-recipient-indexes';
import * as derivedLinks from './0017-derived-links';
import * as inviter from './0018-inviter';
import * as keyScopes from './0019-key-scopes';
import * as clientLimits from './0020-client-limits';
import * as inviteQuotas from './0021-invite-quotas';
import * as auditEvents from './0022-audit-events';
import * as acceptancePolicy from './0023-acceptance-policy';
import * as emailProofs from './0024-email-proofs';
import * as joinRequests from './0025-join-requests';
import * as didChallenges from './0026-did-challenges';
import * as openExpiryIndex from './0027-open-expiry-index';

/** Every migration, in order. Names are frozen once shipped. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-core': core,
  '0002-delivery': delivery,
  '0003-console': console,
  '0004-didcomm': didcomm,
  '0005-activitypub': activitypub,
  '0006-compat': compat,
  '0007-providers': providers,
  '0008-list-indexes': listIndexes,
  '0009-proven-deletions': provenDeletions,
  '0010-didcomm-routing': didcommRouting,
  '0014-hot-path-indexes': hotPathIndexes,
  '0015-channel-index': channelIndex,
  '0016-partial-recipient-indexes': partialRecipientIndexes,
  '0017-derived-links': derivedLinks,
  '0018-inviter': inviter,
  '0019-key-scopes': keyScopes,
  '0020-client-limits': clientLimits,
  '0021-invite-quotas': inviteQuotas,
  '0022-audit-events': auditEvents,
  '0023-acceptance-policy': acceptancePolicy,
  '0024-email-proofs': emailProofs,
  '0025-join-requests': joinRequests,
  '0026-did-challenges': didChallenges,
  '0027-open-expiry-index': openExpiryIndex,
});
