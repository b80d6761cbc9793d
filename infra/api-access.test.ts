import assert from 'node:assert/strict';
import { type RecordedResource, runProgram, stackConfigFromFile } from './testing/mocks.ts';

const devConfig = stackConfigFromFile(new URL('../Pulumi.dev.yaml', import.meta.url));
const ofType = (list: readonly RecordedResource[], type: string) => list.filter((resource) => resource.type === type);
/** The services' task definitions (not the one-off database bootstrap, which serves no API). */
const serviceDefinitions = (stack: readonly RecordedResource[]) =>
  ofType(stack, 'aws:ecs/taskDefinition:TaskDefinition').filter((definition) => definition.name !== 'db-bootstrap');
const containerEnv = (definition: RecordedResource) => {
  const [container] = JSON.parse(String(definition.inputs.containerDefinitions)) as {
    environment: { name: string; value: string }[];
  }[];
  return Object.fromEntries((container?.environment ?? []).map(({ name, value }) => [name, value]));
};

describe('infra: API access (tokens, CORS, WAF)', () => {
  it('when nothing is configured, then services refuse anonymous callers, trust only the ALB and there is no WAF', async () => {
    const { resources: stack, outputs } = await runProgram('access-default', devConfig);

    for (const definition of serviceDefinitions(stack)) {
      const env = containerEnv(definition);
      assert.deepEqual(
        [env.AUTH_ANONYMOUS_SCOPES, env.AUTH_PUBLIC_KEYS, env.TRUST_PROXY],
        ['', '', 'true'],
        definition.name,
      );
    }
    assert.deepEqual(ofType(stack, 'aws:wafv2/webAcl:WebAcl'), []);
    const [secret] = ofType(stack, 'aws:secretsmanager/secret:Secret').filter((resource) =>
      String(resource.inputs.name).endsWith('-token-signing-key'),
    );
    assert.ok(secret, 'a secret for the signing key');
    assert.ok(outputs.tokenSigningKeySecretArn);
    const policies = ofType(stack, 'aws:iam/rolePolicy:RolePolicy').map((policy) => String(policy.inputs.policy));
    assert.ok(policies.length > 0 && policies.some((policy) => policy.includes('secretsmanager')));
    const signingKeyArn = String(outputs.tokenSigningKeySecretArn);
    assert.ok(
      policies.every((policy) => !policy.includes(signingKeyArn)),
      'no task or execution role may read the signing key',
    );
  });

  it('when keys, anonymous scopes, CORS and a WAF limit are configured, then every service gets them and the ALB gets the rule', async () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1' }] });
    const { resources: stack } = await runProgram('access-configured', {
      ...devConfig,
      'taskoverflow:authPublicKeys': jwks,
      'taskoverflow:authAnonymousScopes': 'todos:read',
      'taskoverflow:corsAllowedOrigins': 'https://app.example.com',
      'taskoverflow:wafRateLimitPerFiveMinutes': '2000',
    });

    for (const definition of serviceDefinitions(stack)) {
      const env = containerEnv(definition);
      assert.deepEqual(
        [env.AUTH_PUBLIC_KEYS, env.AUTH_ANONYMOUS_SCOPES, env.CORS_ALLOWED_ORIGINS],
        [jwks, 'todos:read', 'https://app.example.com'],
      );
    }
    const [acl] = ofType(stack, 'aws:wafv2/webAcl:WebAcl');
    assert.ok(acl, 'a WAF web ACL is created');
    const [rule] = acl.inputs.rules as { action: unknown; statement: { rateBasedStatement: unknown } }[];
    assert.deepEqual(rule?.statement.rateBasedStatement, { limit: 2000, aggregateKeyType: 'IP' });
    assert.deepEqual(rule?.action, { block: {} });
    const [association] = ofType(stack, 'aws:wafv2/webAclAssociation:WebAclAssociation');
    assert.match(String(association?.inputs.resourceArn), /:loadbalancer\/app\//);
  });
});
