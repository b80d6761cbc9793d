// The notification service's part of the API document.
import {
  commonErrors,
  errorResponse,
  healthOperation,
  jsonRequest,
  jsonResponse,
  type OpenApiPart,
  requires,
} from '@taskoverflow/platform/http/openapi';
import { z } from 'zod';
import manifest from '../service.ts';
import { webhookCreateSchema } from './webhooks/input.ts';

const time = z.string().describe('UTC, ISO 8601 with Z');
const webhook = z.strictObject({
  id: z.uuid(),
  url: z.url(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  created_at: time,
  status: z.enum(['active', 'disabled']),
  failing_since: time.nullable(),
  disabled_at: time.nullable(),
});
const withSecret = webhook.extend({ secret: z.string().describe('whsec_…, shown only in this response') });
const delivery = z.strictObject({
  event_id: z.uuid(),
  event_type: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_response: z.string().nullable(),
  last_duration_ms: z.number().int().nullable(),
  created_at: time,
  last_attempt_at: time.nullable(),
  next_attempt_at: time.nullable(),
  completed_at: time.nullable(),
});

const manage = { security: requires('webhooks:manage'), tags: ['webhooks'] };
const errors = {
  '400': commonErrors[400],
  '401': commonErrors[401],
  '403': commonErrors[403],
  '405': commonErrors[405],
};
const writeErrors = { ...errors, '413': commonErrors[413], '429': commonErrors[429] };
const notFound = errorResponse("No such webhook (or another owner's)");
const id = { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] };

export const notificationOpenApi: OpenApiPart = {
  paths: {
    [manifest.http?.healthPath ?? '/api/v1/webhooks/health']: healthOperation(),
    '/api/v1/webhooks': {
      get: {
        ...manage,
        summary: "The caller's webhooks (admin: all)",
        responses: { '200': jsonResponse('Webhooks', z.array(webhook)), ...errors },
      },
      post: {
        ...manage,
        summary: 'Register a webhook; the signing secret is shown only here',
        requestBody: jsonRequest(webhookCreateSchema),
        responses: {
          '201': jsonResponse('Registered', withSecret),
          ...writeErrors,
          '415': errorResponse('Content-Type is not application/json'),
        },
      },
    },
    '/api/v1/webhooks/{id}': {
      ...id,
      get: {
        ...manage,
        summary: 'One webhook',
        responses: { '200': jsonResponse('The webhook', webhook), '404': notFound, ...errors },
      },
      delete: {
        ...manage,
        summary: 'Delete it and its pending deliveries',
        responses: { '204': { description: 'Deleted' }, '404': notFound, ...writeErrors },
      },
    },
    '/api/v1/webhooks/{id}/deliveries': {
      ...id,
      get: {
        ...manage,
        summary: 'The newest 100 deliveries',
        responses: { '200': jsonResponse('Deliveries', z.array(delivery)), '404': notFound, ...errors },
      },
    },
    '/api/v1/webhooks/{id}/rotate-secret': {
      ...id,
      post: {
        ...manage,
        summary: 'A new signing secret; the old one also signs deliveries for 24 h',
        responses: {
          '200': jsonResponse('The new secret', withSecret.extend({ previous_secret_expires_at: time })),
          '404': notFound,
          ...writeErrors,
        },
      },
    },
    '/api/v1/webhooks/{id}/enable': {
      ...id,
      post: {
        ...manage,
        summary: 'Resume deliveries to a disabled webhook',
        responses: { '200': jsonResponse('The webhook', webhook), '404': notFound, ...writeErrors },
      },
    },
  },
};
