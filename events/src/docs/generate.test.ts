import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventTypes } from '../catalog/index.ts';
import { generatedDir, renderEventDocs } from './generate.ts';

describe('generated event docs', () => {
  it('when the catalog or a manifest changes, then docs/generated is regenerated (npm run docs:events)', async () => {
    for (const [name, expected] of await renderEventDocs()) {
      const committed = readFileSync(new URL(name, generatedDir), 'utf8');
      assert.equal(committed, expected, `docs/generated/${name} is stale: run npm run docs:events`);
    }
  });

  it('when read, then the AsyncAPI document lists every event type and who sends and receives it', async () => {
    const document = (await renderEventDocs()).get('asyncapi.yaml') ?? '';
    for (const type of eventTypes) assert.match(document, new RegExp(`\\$ref: "?#/channels/events/messages/${type}"?`));
    assert.match(document, /todo\.publish:\n\s+action: send/);
    assert.match(document, /audit\.consume:\n\s+action: receive/);
  });
});
