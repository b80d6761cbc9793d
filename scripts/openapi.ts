// `npm run docs:openapi`: the API document from every service's `src/openapi.ts` part, written to
// docs/generated/openapi.json (served by the todo service at /api/v1/openapi.json).
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadManifests, repoRoot } from '@taskoverflow/events/manifests';
import { type OpenApiPart, openApiDocument } from '@taskoverflow/platform/http/openapi';

export const openApiFile = fileURLToPath(new URL('docs/generated/openapi.json', repoRoot));

const isPart = (value: unknown): value is OpenApiPart =>
  typeof value === 'object' && value !== null && 'paths' in value;

/** The document as text, from the parts of the services that have an HTTP API. */
export async function renderOpenApi(): Promise<string> {
  const parts: OpenApiPart[] = [];
  for (const manifest of await loadManifests()) {
    const file = new URL(`services/${manifest.name}/src/openapi.ts`, repoRoot);
    if (!manifest.http || !existsSync(file)) continue;
    parts.push(...Object.values(await import(file.href)).filter(isPart));
  }
  return `${JSON.stringify(openApiDocument(parts), null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(openApiFile, await renderOpenApi());
  console.log(`wrote ${openApiFile}`);
}
