/** Webhooks: endpoints and their routes, Standard Webhooks signatures, and the guarded HTTP sender. */
export { refusedAddressReason } from './address-policy';
export { ENDPOINT_URL_MAX_LENGTH, endpointUrlProblem } from './endpoint-input';
export {
  createEndpoint,
  deleteEndpoint,
  ENDPOINT_DISABLE_AFTER_FAILURES,
  findEndpoint,
  findSubscribedEndpoints,
  readEnabledEndpoints,
  getEndpoint,
  listEndpoints,
  recordEndpointOutcome,
  rotateEndpointSecret,
  updateEndpoint,
  type CreateEndpointInput,
  type EndpointOutcome,
  type UpdateEndpointInput,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from './endpoints';
export { webhookErrors } from './errors';
export {
  isWebhookEventType,
  subscribesTo,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventSelector,
  type WebhookEventType,
} from './event-types';
export { postWebhook, RESPONSE_BODY_LIMIT, type PostWebhookOptions, type WebhookResponse } from './http-sender';
export { createWebhookRoutes, type WebhookRoutesDeps } from './routes';
export { WebhookEndpointSchema, WebhookEndpointWithSecretSchema } from './schemas';
export { newWebhookSecret, signWebhook, webhookHeaders, type WebhookSignatureHeaders } from './signature';
