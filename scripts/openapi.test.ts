import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApiFile, renderOpenApi } from './openapi.ts';

describe('OpenAPI document (docs/generated/openapi.json)', () => {
  it('when regenerated from the services’ zod schemas, then it equals the committed copy (run npm run docs:openapi)', async () => {
    assert.equal(readFileSync(openApiFile, 'utf8'), await renderOpenApi());
  });

  it('when read, then it is OpenAPI 3.1 with the bearer scheme, and audit and webhooks need a token', () => {
    const document = JSON.parse(readFileSync(openApiFile, 'utf8'));

    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(
      {
        type: document.components.securitySchemes.bearer.type,
        scheme: document.components.securitySchemes.bearer.scheme,
      },
      { type: 'http', scheme: 'bearer' },
    );
    assert.deepEqual(document.paths['/api/v1/audit'].get.security, [{ bearer: ['audit:read'] }]);
    assert.deepEqual(document.paths['/api/v1/webhooks'].post.security, [{ bearer: ['webhooks:manage'] }]);
    assert.deepEqual(document.paths['/api/v1/todos'].post.security, [{ bearer: ['todos:write'] }, {}]);
  });
});
