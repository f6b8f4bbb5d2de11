// The typed API client (openapi-fetch over the generated schema). Every change carries the
// session's CSRF token (double-submit, see the server's http-app.ts); a 401 ends the session.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { toApiError } from './api-error.ts';
import type { paths } from './schema';

export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  csrfToken(): string | null;
  onUnauthenticated(): void;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
  const session: Middleware = {
    onRequest({ request }) {
      const token = options.csrfToken();
      if (token && !safeMethods.has(request.method)) request.headers.set('x-csrf-token', token);
      return request;
    },
    onResponse({ response, request }) {
      if (response.status === 401 && !request.url.endsWith('/auth/login')) options.onUnauthenticated();
      return response;
    },
  };
  client.use(session);
  return client;
}

interface Answer<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its body, or throws the API's error as ApiError. */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  let answer: Answer<D>;
  try {
    answer = await call;
  } catch (error) {
    throw toApiError(0, { code: 'NETWORK', message: `cannot reach the server: ${(error as Error).message}` });
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw toApiError(answer.response.status, answer.error);
  }
  return answer.data as D;
}
