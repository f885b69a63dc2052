import { defineErrors } from '#common/errors';

/**
 * Refusals of what arrives at an inbox, before Fedify or any listener sees it: nothing is stored from a refused
 * activity.
 */
export const activityPubErrors = defineErrors({
  activity_malformed: { status: 400, title: 'The activity is not valid' },
  signature_invalid: { status: 401, title: 'The request signature is not acceptable' },
  signature_replayed: { status: 401, title: 'The request signature is not acceptable' },
  proof_invalid: { status: 401, title: 'The Object Integrity Proof does not hold' },
});
