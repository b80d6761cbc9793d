// The audit service's part of the API document.
import { eventTypes } from '@taskoverflow/events/catalog';
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
import { replayRequestSchema } from './replay/input.ts';

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
const replayJob = z.strictObject({
  id: z.uuid(),
  service: z.string(),
  types: z.array(z.enum(eventTypes as [string, ...string[]])),
  subject: z.string().nullable(),
  since: z.string().nullable(),
  until: z.string().nullable(),
  requested_by: z.enum(['manifest', 'api']),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  cursor: z.string(),
  sent: z.number().int(),
  total: z.number().int().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
const adminErrors = { '401': commonErrors[401], '403': commonErrors[403], '405': commonErrors[405] };

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
    '/api/v1/audit/stream': {
      get: {
        summary: 'The log as it grows: server-sent events (id = log position), resumable with Last-Event-ID',
        tags: ['audit'],
        security: requires('audit:read'),
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            description: 'Resume after this position',
            schema: { type: 'string' },
          },
          {
            name: 'backlog',
            in: 'query',
            schema: { type: 'string', pattern: '^\\d{1,3}$', description: 'Latest entries sent first (0–100)' },
          },
        ],
        responses: {
          '200': {
            description: 'One `data:` line per entry (the JSON of an audit entry)',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '400': commonErrors[400],
          ...adminErrors,
        },
      },
    },
    '/api/v1/audit/replays': {
      post: {
        summary: "Replay history into one service's queue (never the topic)",
        tags: ['audit'],
        security: requires('admin'),
        requestBody: jsonRequest(replayRequestSchema),
        responses: {
          '202': jsonResponse('The replay job, started', replayJob),
          '400': commonErrors[400],
          ...adminErrors,
          '413': commonErrors[413],
        },
      },
      get: {
        summary: 'The recent replay jobs',
        tags: ['audit'],
        security: requires('admin'),
        responses: {
          '200': jsonResponse('Jobs, newest first', z.strictObject({ items: z.array(replayJob) })),
          ...adminErrors,
        },
      },
    },
    '/api/v1/audit/replays/{id}': {
      get: {
        summary: "A replay job's progress",
        tags: ['audit'],
        security: requires('admin'),
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': jsonResponse('The job', replayJob),
          '404': errorResponse('Replay not found'),
          ...adminErrors,
        },
      },
    },
  },
};
