// The todo service's part of the API document, from the schemas its handlers parse with.
import { todoSchema } from '@taskoverflow/events/catalog';
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
import { todoCreateSchema, todoUpdateSchema } from './todos/input.ts';

const { 401: unauthorized, 403: forbidden, 405: notAllowed, 413: tooLarge, 429: limited } = commonErrors;
const notFound = errorResponse('No such todo or job');
const notJson = errorResponse('Content-Type is not application/json');
const errors = { 400: commonErrors[400], 401: unauthorized, 403: forbidden, 405: notAllowed };
const read = { security: requires('todos:read', true), tags: ['todos'] };
const write = { security: requires('todos:write', true), tags: ['todos'] };
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'A retry with the same key, caller and body within 24 h returns the first response and creates nothing',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};
const replayErrors = {
  '409': errorResponse('The first request with this key is still in progress'),
  '422': errorResponse('The key was used with a different request'),
};

const jobStarted = z.strictObject({ task_id: z.uuid(), task_url: z.url() });
const jobStatus = z.strictObject({
  task_id: z.uuid(),
  task_status: z.enum(['PENDING', 'STARTED', 'SUCCESS', 'FAILURE']),
  result_url: z.url(),
});

export const todoOpenApi: OpenApiPart = {
  paths: {
    [manifest.http?.healthPath ?? '/api/v1/health']: healthOperation(),
    '/api/v1/openapi.json': {
      get: {
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: {} } } } },
      },
    },
    '/api/v1/todos': {
      get: {
        ...read,
        summary: 'Every todo, by id',
        parameters: [
          { name: 'completed', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } },
          {
            name: 'window',
            in: 'query',
            description: 'Deadline within this many days (overdue included)',
            schema: { type: 'string', pattern: '^\\d+$' },
          },
        ],
        responses: { '200': jsonResponse('The todos', z.array(todoSchema)), ...errors },
      },
      post: {
        ...write,
        summary: 'Create a todo (and its TodoCreated event)',
        parameters: [idempotencyKey],
        requestBody: jsonRequest(todoCreateSchema),
        responses: {
          '201': jsonResponse('Created', todoSchema),
          ...errors,
          ...replayErrors,
          '413': tooLarge,
          '415': notJson,
          '429': limited,
        },
      },
    },
    '/api/v1/todos/{id}': {
      parameters: [idParameter],
      get: {
        ...read,
        summary: 'One todo',
        responses: { '200': jsonResponse('The todo', todoSchema), '404': notFound, ...errors },
      },
      put: {
        ...write,
        summary: 'Change a todo; omitted fields stay as they were',
        requestBody: jsonRequest(todoUpdateSchema),
        responses: {
          '200': jsonResponse('The updated todo', todoSchema),
          '404': notFound,
          ...errors,
          '413': tooLarge,
          '415': notJson,
          '429': limited,
        },
      },
      delete: {
        ...write,
        summary: 'Delete a todo; {} for an unknown id, as the original',
        responses: {
          '200': jsonResponse('The deleted todo, or {}', z.union([todoSchema, z.strictObject({})])),
          ...errors,
          '429': limited,
        },
      },
    },
    '/api/v1/todos/ical': {
      post: {
        ...write,
        summary: 'Start an iCal export of every todo (the body is ignored)',
        parameters: [idempotencyKey],
        responses: {
          '202': jsonResponse('Job started', jobStarted),
          ...errors,
          ...replayErrors,
          '413': tooLarge,
          '429': limited,
        },
      },
    },
    '/api/v1/todos/ical/{id}/status': {
      parameters: [idParameter],
      get: {
        ...read,
        summary: 'Job status',
        responses: { '200': jsonResponse('The job', jobStatus), '404': notFound, ...errors },
      },
    },
    '/api/v1/todos/ical/{id}/result': {
      parameters: [idParameter],
      get: {
        ...read,
        summary: 'The finished calendar',
        responses: {
          '200': { description: 'taskoverflow.ics', content: { 'text/calendar': { schema: { type: 'string' } } } },
          '404': notFound,
          ...errors,
        },
      },
    },
  },
};
