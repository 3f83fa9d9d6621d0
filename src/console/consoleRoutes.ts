import { errorResponse } from '../http/httpErrorOf';
import { HttpError } from '../http/HttpError';
import { jsonResponse, type HttpResponse } from '../http/types';
import { InvalidPatternError } from '../routing/errors';
import { disable, enable, redrive, replay, replayJob } from './routes/actions';
import { deadLetters, subscriptionDeliveries } from './routes/deliveries';
import { listEvents, showEvent } from './routes/events';
import { listSubscriptions, showSubscription } from './routes/subscriptions';
import { testEvent } from './routes/testEvent';
import type { ConsoleDeps, ConsoleRequest } from './types';

type Route = (deps: ConsoleDeps, request: ConsoleRequest, param: string) => Promise<unknown>;

/** The console's JSON routes below `/console/api`: method, path pattern (one `:param` at most), handler. */
const ROUTES: readonly [string, RegExp, Route][] = [
  ['GET', /^\/info$/, async (deps) => ({ description: deps.description, operator: (await deps.actor()).name })],
  ['GET', /^\/events$/, listEvents],
  ['GET', /^\/event$/, showEvent],
  ['GET', /^\/subscriptions$/, listSubscriptions],
  ['GET', /^\/subscriptions\/([^/]+)$/, showSubscription],
  ['GET', /^\/subscriptions\/([^/]+)\/deliveries$/, subscriptionDeliveries],
  ['POST', /^\/subscriptions\/([^/]+)\/redrive$/, redrive],
  ['POST', /^\/subscriptions\/([^/]+)\/replay$/, replay],
  ['POST', /^\/subscriptions\/([^/]+)\/disable$/, disable],
  ['POST', /^\/subscriptions\/([^/]+)\/enable$/, enable],
  ['GET', /^\/replays\/([^/]+)$/, replayJob],
  ['GET', /^\/dead$/, deadLetters],
  ['POST', /^\/test$/, testEvent],
];

/** Answers one console API request (all but `/tail`, which streams): its JSON, or the error shape every route shares. */
export async function handleConsoleApi(deps: ConsoleDeps, request: ConsoleRequest): Promise<HttpResponse> {
  try {
    const byPath = ROUTES.filter(([, pattern]) => pattern.test(request.path));
    if (byPath.length === 0) throw new HttpError(404, 'not_found', `no console route ${request.path}`);
    const route = byPath.find(([method]) => method === request.method);
    if (!route) throw new HttpError(405, 'method_not_allowed', `${request.path} answers ${byPath.map(([m]) => m).join(', ')}, not ${request.method}`);
    const param = decodeURIComponent(route[1].exec(request.path)![1] ?? '');
    return jsonResponse(200, await route[2](deps, request, param));
  } catch (error) {
    return errorResponse(asKnown(error), (unexpected) => console.error(JSON.stringify({ level: 'ERROR', message: 'console route failed', path: request.path, error: String(unexpected) })));
  }
}

/** Library errors the console's input can cause, as 400s naming the field; the rest goes through the shared mapping. */
function asKnown(error: unknown): unknown {
  if (error instanceof InvalidPatternError) return new HttpError(400, 'invalid_pattern', error.message);
  // The ledger refuses a subscription id it cannot key (empty, or with `#`) with a RangeError.
  if (error instanceof RangeError) return new HttpError(400, 'invalid_request', error.message, [{ index: 0, field: 'subscription', message: error.message }]);
  return error;
}
