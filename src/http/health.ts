import { jsonResponse, type HttpResponse } from './types';

/** `GET /health`: the function is up and configured (it needs no downstream call to answer). */
export function health(): HttpResponse {
  return jsonResponse(200, { status: 'ok' });
}
