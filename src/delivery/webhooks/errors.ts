import { defineErrors, errorFactory } from '#common/errors';

/** Refusals of webhook endpoint management. */
export const webhookErrors = defineErrors({
  webhook_endpoint_not_found: { status: 404, title: 'No such webhook endpoint' },
  webhook_url_invalid: { status: 400, title: 'The webhook URL is not acceptable' },
  webhook_events_invalid: { status: 400, title: 'The webhook event selection is not valid' },
});

export const webhookError = errorFactory(webhookErrors);
