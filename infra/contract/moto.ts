import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';

type Statement = { Sid?: string; Effect: string; Action: string[]; Resource: string | string[] };
type Policy = { Version: string; Statement: Statement[] };

/**
 * moto 5.2.5 names these calls by their API, where AWS authorises them as the single action
 * (measured; see docs/adr/0061). Granting the alias next to the real action is the whole fix.
 */
export const motoBatchAliases: Record<string, string> = {
  'sqs:DeleteMessage': 'sqs:DeleteMessageBatch',
  'sqs:ChangeMessageVisibility': 'sqs:ChangeMessageVisibilityBatch',
  'sqs:SendMessage': 'sqs:SendMessageBatch',
  'sns:Publish': 'sns:PublishBatch',
};
/** moto evaluates every SNS call and sqs:GetQueueUrl against Resource "*", whatever the target. */
const checkedOnStar = (action: string) => action.startsWith('sns:') || action === 'sqs:GetQueueUrl';

/**
 * The generated policy as moto must see it to allow what AWS allows: batch aliases added,
 * and the actions moto checks on "*" restated on "*". It loosens only what moto cannot check
 * (the exact evaluation in authorization.ts checks the real resources); it grants no action
 * the generated policy does not name.
 */
export function adaptPolicyForMoto(policy: Policy): Policy {
  const withAliases = (actions: string[]) =>
    actions.flatMap((action) => (motoBatchAliases[action] ? [action, motoBatchAliases[action]] : [action]));
  const statements = policy.Statement.map((statement) => ({ ...statement, Action: withAliases(statement.Action) }));
  const starred = [...new Set(statements.flatMap((statement) => statement.Action.filter(checkedOnStar)))];
  return {
    Version: policy.Version,
    Statement: starred.length
      ? [...statements, { Sid: 'MotoChecksTheseOnStar', Effect: 'Allow', Action: starred, Resource: '*' }]
      : statements,
  };
}

export interface EnforcingMoto {
  endpoint: string;
  /** Credentials of a user allowed everything: the test's own setup and checks. */
  admin: { accessKeyId: string; secretAccessKey: string };
  /** Creates an IAM user holding exactly `policy` (nothing when undefined) and returns its keys. */
  createUser(name: string, policy: Policy | undefined): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  stop(): void;
}

const motoScript = fileURLToPath(new URL('../../scripts/moto.sh', import.meta.url));
/** The admin bootstrap below is exactly this many calls; every later one is authenticated. */
const unauthenticatedBootstrapCalls = 3;

/**
 * A moto server of its own (not the shared MOTO_ENDPOINT one: enforcement is server-wide)
 * started by scripts/moto.sh with INITIAL_NO_AUTH_ACTION_COUNT, so only the admin bootstrap
 * goes unchecked; from then on every request is authenticated and authorised.
 */
export async function startEnforcingMoto(): Promise<EnforcingMoto> {
  const { MOTO_PORT: _shared, ...env } = process.env; // a free port, not the shared server's
  const { stdout } = await promisify(execFile)('bash', [motoScript], {
    env: { ...env, INITIAL_NO_AUTH_ACTION_COUNT: String(unauthenticatedBootstrapCalls) },
  });
  const endpoint = /MOTO_ENDPOINT=(\S+)/.exec(stdout)?.[1];
  const pid = Number(/MOTO_PID=(\d+)/.exec(stdout)?.[1]);
  if (!endpoint || !pid) throw new Error(`scripts/moto.sh printed no endpoint: ${stdout}`);
  const stop = () => {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  };
  try {
    const iamClient = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new IAMClient({ endpoint, region: 'us-east-1', credentials });
    const keysOf = async (iam: IAMClient, name: string, policy: Policy | undefined) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      if (policy) {
        await iam.send(
          new PutUserPolicyCommand({ UserName: name, PolicyName: name, PolicyDocument: JSON.stringify(policy) }),
        );
      }
      const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error(`moto returned no access key for ${name}`);
      return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    };
    const everything: Policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'TestSetup', Effect: 'Allow', Action: ['*'], Resource: '*' }],
    };
    const admin = await keysOf(
      iamClient({ accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' }),
      'admin',
      everything,
    );
    const iam = iamClient(admin);
    return { endpoint, admin, createUser: (name, policy) => keysOf(iam, name, policy), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
