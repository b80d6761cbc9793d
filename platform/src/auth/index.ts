export { authEnvShape, authFromConfig } from './config.ts';
export { newSigningKey, parseSigningKey, publicJwk, type SigningKey, type VerificationKeys } from './keys.ts';
export { bootstrapLocalAuth, LOCAL_ANONYMOUS_SCOPES, localSigningKey, rotateLocalSigningKey } from './local.ts';
export { type ScopeGuard, scopeGuard } from './middleware.ts';
export { parseScopes, type Scope, scopes } from './scopes.ts';
export { createToken, type NewToken } from './tokens.ts';
export { type Auth, type AuthSettings, createAuth, InvalidTokenError, type Principal } from './verify.ts';
