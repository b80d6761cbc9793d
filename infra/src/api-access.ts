import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ApiAccessArgs {
  prefix: string;
  /** JWKS JSON of the token verification keys (`npm run token -- keygen` prints it); none → every token refused. */
  authPublicKeys: string | undefined;
  /** Scopes callers without a token get; the cloud default is none. */
  authAnonymousScopes: string;
  corsAllowedOrigins: string;
  /** Requests per 5 minutes per client address the WAF allows before blocking; unset → no WAF. */
  wafRateLimitPerFiveMinutes: number | undefined;
  loadBalancerArn: pulumi.Input<string>;
}

/**
 * Who may call the APIs (ADR 0090): the secret that holds the token signing key (the operator
 * puts the private JWK there and reads it to mint tokens; no task role can read it), the
 * settings every service gets, and optionally a WAF web ACL with a rate-based rule on the ALB.
 */
export class ApiAccess extends pulumi.ComponentResource {
  readonly signingKeySecretArn: pulumi.Output<string>;
  /** Environment every service container gets. */
  readonly serviceEnv: Record<string, string>;

  constructor(name: string, args: ApiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:security:ApiAccess', name, {}, opts);
    const parent = { parent: this };
    const signingKey = new aws.secretsmanager.Secret(
      `${name}-signing-key`,
      {
        name: `${args.prefix}-token-signing-key`,
        description: 'Ed25519 private JWK that signs API tokens (npm run token -- create with AUTH_SIGNING_KEY)',
      },
      parent,
    );
    this.signingKeySecretArn = signingKey.arn;
    this.serviceEnv = {
      AUTH_PUBLIC_KEYS: args.authPublicKeys ?? '',
      AUTH_ANONYMOUS_SCOPES: args.authAnonymousScopes,
      TRUST_PROXY: 'true', // behind the ALB, which sets X-Forwarded-*
      CORS_ALLOWED_ORIGINS: args.corsAllowedOrigins,
    };

    if (args.wafRateLimitPerFiveMinutes !== undefined) {
      const metric = (metricName: string) => ({
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName,
      });
      const acl = new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
          name: `${args.prefix}-api`,
          scope: 'REGIONAL',
          defaultAction: { allow: {} },
          rules: [
            {
              name: 'rate-per-address',
              priority: 0,
              action: { block: {} },
              statement: { rateBasedStatement: { limit: args.wafRateLimitPerFiveMinutes, aggregateKeyType: 'IP' } },
              visibilityConfig: metric(`${args.prefix}-rate-per-address`),
            },
          ],
          visibilityConfig: metric(`${args.prefix}-api`),
        },
        parent,
      );
      new aws.wafv2.WebAclAssociation(`${name}-waf`, { resourceArn: args.loadBalancerArn, webAclArn: acl.arn }, parent);
    }
    this.registerOutputs({ signingKeySecretArn: this.signingKeySecretArn });
  }
}
