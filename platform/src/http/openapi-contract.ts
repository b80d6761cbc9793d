// For API tests: checks each response against the checked-in OpenAPI document, so the
// document cannot drift from what the services answer.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const document = JSON.parse(
  readFileSync(new URL('../../../docs/generated/openapi.json', import.meta.url), 'utf8'),
) as Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

const templates = Object.keys(document.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  // Literal segments win over parameters (/todos/ical over /todos/{id}).
  .sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length);

export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/**
 * What is wrong with this response according to the document ([] when it conforms):
 * an undocumented path, method or status, or a JSON body that does not match the schema.
 * 405 and 413/431 from outside the routes are documented generically and pass when JSON.
 */
export function openApiViolations(method: string, url: string, response: ObservedResponse): string[] {
  // The router is not strict: `/todos/` is `/todos`.
  const path = (url.split(/[?#]/)[0] ?? '').replace(/(.)\/$/, '$1');
  const found = templates.find(({ pattern }) => pattern.test(path));
  if (!found) return response.status === 404 ? [] : [`${method} ${path}: no such path in the document`];
  // OPTIONS is the router's (Allow); HEAD is GET without a body.
  if (method === 'OPTIONS') return [];
  const operation = document.paths[found.template]?.[method === 'HEAD' ? 'get' : method.toLowerCase()];
  if (!operation) return response.status === 405 ? [] : [`${method} ${found.template}: method not documented`];
  const documented = operation.responses[String(response.status)] ?? operation.responses.default;
  if (!documented) return [`${method} ${found.template}: status ${response.status} not documented`];
  const type = String(response.headers['content-type'] ?? '').split(';')[0] ?? '';
  const media = documented.content?.[type];
  if (!documented.content) return [];
  if (!media) return [`${method} ${found.template} ${response.status}: content type ${type} not documented`];
  if (type !== 'application/json' || method === 'HEAD') return [];
  const validate = ajv.compile(media.schema);
  if (validate(response.json)) return [];
  return (validate.errors ?? []).map(
    (error) => `${method} ${found.template} ${response.status}: ${error.instancePath || '(body)'} ${error.message}`,
  );
}
