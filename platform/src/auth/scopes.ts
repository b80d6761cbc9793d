/** Every scope a token can carry. `admin` stands for all of them. */
export const scopes = ['todos:read', 'todos:write', 'audit:read', 'webhooks:manage', 'admin'] as const;
export type Scope = (typeof scopes)[number];

const known = new Set<string>(scopes);
export const isScope = (value: string): value is Scope => known.has(value);

/** `"a,b"` or `"a b"` → the scopes, refusing unknown names so a typo is not a silent denial. */
export function parseScopes(text: string): Scope[] {
  const names = text.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((name) => !isScope(name));
  if (unknown.length > 0) throw new Error(`Unknown scope(s): ${unknown.join(', ')} (known: ${scopes.join(', ')})`);
  return [...new Set(names)] as Scope[];
}
