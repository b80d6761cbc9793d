// The audit service's part of the API document.
import { eventTypes } from '@taskoverflow/events/catalog';
import {
  commonErrors,
  healthOperation,
  jsonResponse,
  type OpenApiPart,
  requires,
} from '@taskoverflow/platform/http/openapi';
import { z } from 'zod';
import manifest from '../service.ts';

const entry = z.strictObject({
  id: z.uuid(),
  type: z.enum(eventTypes as [string, ...string[]]),
  subject: z.string(),
  source: z.string(),
  time: z.string(),
  correlationid: z.string().nullable(),
  causationid: z.string().nullable(),
  sequence: z.number().int().nullable(),
  data: z.unknown(),
  recorded_at: z.string(),
});
const page = z.strictObject({ items: z.array(entry), next_cursor: z.string().nullable() });

export const auditOpenApi: OpenApiPart = {
  paths: {
    [manifest.http?.healthPath ?? '/api/v1/audit/health']: healthOperation(),
    '/api/v1/audit': {
      get: {
        summary: 'The event log, newest first',
        tags: ['audit'],
        security: requires('audit:read'),
        parameters: [
          { name: 'subject', in: 'query', description: 'The todo or job id', schema: { type: 'string' } },
          { name: 'type', in: 'query', schema: { type: 'string', enum: [...eventTypes] } },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'string', pattern: '^\\d{1,3}$', description: '1–100, default 20' },
          },
          { name: 'cursor', in: 'query', description: 'next_cursor of the previous page', schema: { type: 'string' } },
        ],
        responses: {
          '200': jsonResponse('One page', page),
          '400': commonErrors[400],
          '401': commonErrors[401],
          '403': commonErrors[403],
          '405': commonErrors[405],
        },
      },
    },
  },
};
