/** The bus's token for this tab: typed into the login form, kept in sessionStorage, sent as a header (never in a URL). */
const TOKEN_KEY = 'switchyard-console-token';

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** The error shape every console route answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function headers(): Record<string, string> {
  const token = savedToken();
  return { 'x-switchyard-console': '1', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/** GET (no body) or POST (a JSON body) of a console route; a non-2xx answer throws its `error.message`. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/console/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) throw new ApiError(response.status, json.error?.code ?? 'error', json.error?.message ?? `HTTP ${response.status}`);
  return json as T;
}

/** `?a=1&b=2` from the defined, non-empty values. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
