import { z } from '@hono/zod-openapi';
import { atLeastOneField, atLeastOneFieldMessage } from '#http/validation';
import { ENDPOINT_URL_MAX_LENGTH, endpointUrlProblem } from './endpoint-input';
import { WEBHOOK_EVENT_TYPES } from './event-types';

const Timestamp = z.string().describe('ISO-8601 UTC time.');

const EventSelector = z
  .enum([...WEBHOOK_EVENT_TYPES, '*'])
  .describe('An event type, or "*" for every type in the catalogue.');

const Url = z
  .string()
  .max(ENDPOINT_URL_MAX_LENGTH)
  .refine((url) => endpointUrlProblem(url) === null, 'an absolute http(s) URL without credentials')
  .describe(
    'Where deliveries are POSTed. Private and loopback addresses are refused at send time unless the server allows them.',
  );

const Events = z.array(EventSelector).min(1).max(50).describe('The event types to receive.');

const Description = z.string().trim().max(500);

export const WebhookEndpointSchema = z
  .object({
    id: z.string().describe('UUIDv7.'),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(EventSelector),
    status: z
      .enum(['enabled', 'disabled'])
      .describe(`Disabled after 20 consecutive failed deliveries; PATCH status "enabled" to resume.`),
    failureStreak: z.number().int().describe('Failed deliveries in a row; a success resets it.'),
    disabledReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z.string().describe('The Standard Webhooks signing secret (whsec_…). Shown only in this response: keep it.'),
}).openapi('WebhookEndpointWithSecret');

export const WebhookEndpointListSchema = z
  .object({ data: z.array(WebhookEndpointSchema) })
  .openapi('WebhookEndpointList');

export const CreateWebhookEndpointSchema = z
  .strictObject({ url: Url, events: Events, description: Description.optional() })
  .openapi('CreateWebhookEndpoint');

export const UpdateWebhookEndpointSchema = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.nullable().optional().describe('null clears it.'),
    status: z.literal('enabled').optional().describe('Re-enables a disabled endpoint and resets its failure streak.'),
  })
  .refine(atLeastOneField, atLeastOneFieldMessage)
  .openapi('UpdateWebhookEndpoint');

export const WebhookIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
