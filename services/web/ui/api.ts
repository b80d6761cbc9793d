// Every call to the services goes through `api`: it adds the access token and turns the
// services' JSON errors (`{"error": "..."}`, always 4xx for bad input) into ApiError.

const tokenKey = 'taskoverflow.token';

export const readToken = (): string => localStorage.getItem(tokenKey) ?? '';
export function saveToken(token: string): void {
  if (token) localStorage.setItem(tokenKey, token);
  else localStorage.removeItem(tokenKey);
  window.dispatchEvent(new Event('taskoverflow:token'));
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Listeners told about 401/403 answers, so the page can say what to do about the token. */
const authListeners = new Set<(error: ApiError | undefined) => void>();
export function onAuthProblem(listener: (error: ApiError | undefined) => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}
const reportAuth = (error: ApiError | undefined) => {
  for (const listener of authListeners) listener(error);
};

export function authHeaders(): Record<string, string> {
  const token = readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A failed response as ApiError (its `{"error"}` message), told to the auth listeners when it is a 401/403. */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let message = text || response.statusText;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch {
    // not JSON: keep the text
  }
  const error = new ApiError(response.status, message);
  if (error.isAuth) reportAuth(error);
  return error;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Sends a request to this origin; resolves with the parsed JSON (undefined for an empty body). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await errorOf(response);
  reportAuth(undefined);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Downloads a file with the token, for links a plain `<a href>` could not authorise. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Which form field an API message is about: the services start each message with the name of
 * the field it concerns (`title must not be empty`, `events: "X" is not deliverable`).
 */
export function fieldOf(message: string, fields: readonly string[]): string | undefined {
  const first = /^[a-z_]+/.exec(message)?.[0];
  return first && fields.includes(first) ? first : undefined;
}
