import { invalidParameter } from './pageRequestOf';
import type { Credentials } from '../auth/Credentials';
import { readableTypes } from '../auth/readableTypes';
import { matchesSubject } from '../routing/matchesSubject';
import { callerOf, jsonResponse, type EventQueries, type HttpRequest, type HttpResponse } from './types';

/**
 * `GET /types`: `{"types":[…]}`, the catalog of event types the store has seen (what `switchyard types` prints),
 * those the reader may read only.
 */
export async function listTypes(request: HttpRequest, deps: { credentials: Credentials; queries: EventQueries }): Promise<HttpResponse> {
  const reader = await deps.credentials.authenticate(callerOf(request));
  const [unknown] = Object.keys(request.query);
  if (unknown !== undefined) throw invalidParameter(unknown, 'is not a parameter of GET /types, which takes none');
  const readable = readableTypes(reader, ['>']);
  return jsonResponse(200, { types: (await deps.queries.listTypes()).filter((type) => readable.some((pattern) => matchesSubject(pattern, type))) });
}
