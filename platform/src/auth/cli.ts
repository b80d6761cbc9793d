// `npm run token -- <command>`: mint tokens and rotate keys (see platform/README.md, "Auth").
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { newSigningKey, parseSigningKey, publicJwk } from './keys.ts';
import { localSigningKey, rotateLocalSigningKey } from './local.ts';
import { parseScopes } from './scopes.ts';
import { createToken } from './tokens.ts';

const usage = `usage: npm run token -- <command>
  create --scopes <a,b> [--expires 30d] [--subject <name>]
      prints a token signed with AUTH_SIGNING_KEY (a private JWK, e.g. from Secrets Manager)
      or else with the local key in DATA_DIR (default ./.data)
  rotate-key   local: a new signing key and admin token; tokens signed before are refused
               once the services restart
  keygen       prints a new signing key (for Secrets Manager) and its public JWKS (for AUTH_PUBLIC_KEYS)
  help         this text (also --help)`;

const parseOptions = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    options: {
      scopes: { type: 'string' },
      expires: { type: 'string', default: '30d' },
      subject: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

/** Runs one command and returns what to print; throws with a message meant for the operator. */
export async function runTokenCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`);
  }
  const { positionals, values } = parsed;
  if (values.help || positionals[0] === 'help') return usage;
  const dataDir = resolve(env.DATA_DIR || './.data');
  switch (positionals[0]) {
    case 'create': {
      if (!values.scopes) throw new Error('create needs --scopes (e.g. --scopes todos:read,audit:read)');
      const scopes = parseScopes(values.scopes);
      const key = env.AUTH_SIGNING_KEY ? parseSigningKey(env.AUTH_SIGNING_KEY) : await localSigningKey(dataDir);
      const subject = values.subject ?? `token-${Date.now().toString(36)}`;
      return createToken(key, { subject, scopes, expiresIn: values.expires });
    }
    case 'rotate-key': {
      const local = await rotateLocalSigningKey(dataDir);
      return `New signing key; admin token in ${local.adminTokenFile}. Restart npm start to apply.`;
    }
    case 'keygen': {
      const key = await newSigningKey();
      return JSON.stringify({ signingKey: key, publicKeys: { keys: [publicJwk(key)] } }, null, 2);
    }
    default:
      throw new Error(usage);
  }
}

if (import.meta.main) {
  try {
    process.stdout.write(`${await runTokenCommand(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
