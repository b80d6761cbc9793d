import { z } from 'zod';
import { scopes } from '../auth/scopes.ts';

type JsonObject = Record<string, unknown>;

/** What one service adds to the API document: its paths (OpenAPI 3.1 path items). */
export interface OpenApiPart {
  paths: Record<string, JsonObject>;
}

/** A zod schema as JSON Schema (2020-12, which OpenAPI 3.1 uses): what a client sends, or what it receives. */
export const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonObject => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

export const errorSchema = z.strictObject({ error: z.string().describe('What went wrong, meant for the caller') });

/** `{ "<status>": { description, content: application/json } }` for a response body schema. */
export const jsonResponse = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema: jsonSchema(schema) } },
});
export const jsonRequest = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: jsonSchema(schema, 'input') } },
});

/** A `{"error": …}` response. */
export const errorResponse = (description: string) => jsonResponse(description, errorSchema);
const error = errorResponse;
/** The errors any operation may answer with, beside its own. */
export const commonErrors = {
  '400': error('Malformed request or invalid input'),
  '401': error('No token where one is needed, or a bad or expired token (WWW-Authenticate: Bearer)'),
  '403': error('The token lacks the scope'),
  '405': error('Method not allowed on this path (Allow lists the methods)'),
  '413': error('Request body over 64 KiB'),
  '429': error('Rate limit reached (Retry-After)'),
} as const;

/** `security` of an operation needing `scope`; `anonymous` adds the no-token alternative. */
export const requires = (scope: (typeof scopes)[number], anonymous = false) => [
  { bearer: [scope] },
  ...(anonymous ? [{}] : []),
];

/** A service's readiness path, as createServiceApp serves it. */
export const healthOperation = () => ({
  get: {
    summary: 'Readiness: 200 when the service can serve',
    security: [],
    responses: {
      '200': jsonResponse('Ready', z.strictObject({ status: z.literal('ok') })),
      '503': jsonResponse('Not ready', z.object({ status: z.string(), checks: z.record(z.string(), z.string()) })),
    },
  },
});

/** The whole API as one OpenAPI 3.1 document, from the parts of every service. */
export function openApiDocument(parts: readonly OpenApiPart[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const part of parts) Object.assign(paths, part.paths);
  // Anything else (a database outage) is a bare 500 `{"error":"Internal server error"}`.
  for (const item of Object.values(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const responses = (operation as { responses: JsonObject }).responses;
      responses.default ??= errorResponse('Unexpected server error; never the answer to bad input');
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TaskOverflow API',
      version: '1',
      description:
        'Todos, calendar export jobs, the audit log and webhooks. Generated from the zod schemas the handlers use; `npm run docs:openapi` regenerates it.',
    },
    servers: [{ url: 'http://localhost:6400', description: 'npm start' }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `Ed25519-signed JWT with a space-separated "scope" claim: ${scopes.join(', ')} (admin allows all).`,
        },
      },
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
