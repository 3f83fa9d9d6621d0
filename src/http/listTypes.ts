import { invalidParameter } from './pageRequestOf';
import type { ProducerTokens } from './ProducerTokens';
import { jsonResponse, type EventQueries, type HttpRequest, type HttpResponse } from './types';

/** `GET /types`: `{"types":[…]}`, the catalog of event types the store has seen (what `switchyard types` prints). */
export async function listTypes(request: HttpRequest, deps: { tokens: ProducerTokens; queries: EventQueries }): Promise<HttpResponse> {
  await deps.tokens.authenticate(request.headers.authorization);
  const [unknown] = Object.keys(request.query);
  if (unknown !== undefined) throw invalidParameter(unknown, 'is not a parameter of GET /types, which takes none');
  return jsonResponse(200, { types: await deps.queries.listTypes() });
}
