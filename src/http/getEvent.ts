import { HttpError } from './HttpError';
import type { Credentials } from '../auth/Credentials';
import { checkMayRead, checkReadType } from '../auth/readableTypes';
import { callerOf, type HttpRequest, type HttpResponse } from './types';
import type { CloudEventJson } from '../events/types';

export interface GetEventDependencies {
  credentials: Credentials;
  store: { get(source: string, id: string): Promise<{ event: CloudEventJson; sequence: string; shard: string } | undefined> };
}

/**
 * `GET /events/{id}?source=<source>`: the stored event, decrypted, in structured mode. An event is named by
 * source + id (ids are only unique per source), so `source` is required. Its stream position is in headers.
 */
export async function getEvent(request: HttpRequest, id: string, deps: GetEventDependencies): Promise<HttpResponse> {
  const reader = await deps.credentials.authenticate(callerOf(request));
  checkMayRead(reader);
  const source = request.query.source;
  if (!source) {
    throw new HttpError(400, 'invalid_request', 'query parameter source is required', [
      { index: 0, field: 'source', message: 'required: GET /events/{id}?source=<source>' },
    ]);
  }
  // A stored event whose ciphertext was altered throws DecryptionError: `httpErrorOf` answers it 500 event_unreadable.
  const stored = await deps.store.get(source, id);
  if (!stored) throw new HttpError(404, 'not_found', `no event with source ${JSON.stringify(source)} and id ${JSON.stringify(id)}`);
  // A reader reads only its types: 403 forbidden_type for another.
  checkReadType(reader, stored.event.type);
  return {
    status: 200,
    headers: {
      'content-type': 'application/cloudevents+json',
      'switchyard-sequence': stored.sequence,
      'switchyard-shard': stored.shard,
    },
    body: JSON.stringify(stored.event),
  };
}
