// Writes docs/generated/: the AsyncAPI document and one JSON Schema per event type.
// `npm run docs:events` runs it; a test fails when the committed files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { eventTypes } from '../catalog/index.ts';
import { loadManifests, repoRoot } from '../manifests.ts';
import { asyncApiDocument, dataJsonSchema, envelopeJsonSchema } from './asyncapi.ts';

export const generatedDir = new URL('docs/generated/', repoRoot);

/** File name (under docs/generated/) → content. */
export async function renderEventDocs(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  files.set('asyncapi.yaml', stringify(asyncApiDocument(await loadManifests()), { aliasDuplicateObjects: false }));
  files.set('schemas/CloudEvent.json', `${JSON.stringify(envelopeJsonSchema(), null, 2)}\n`);
  for (const type of eventTypes) {
    files.set(`schemas/${type}.json`, `${JSON.stringify(dataJsonSchema(type), null, 2)}\n`);
  }
  return files;
}

if (import.meta.main) {
  mkdirSync(new URL('schemas/', generatedDir), { recursive: true });
  for (const [name, content] of await renderEventDocs()) writeFileSync(new URL(name, generatedDir), content);
  console.log(`wrote ${generatedDir.pathname}`);
}
