import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { CloudEventJson } from '../../events/types';
import type { ApiTarget } from '../target/resolveApiTarget';
import { ApiUnreachableError, apiRequestError, apiUnreachableError } from './apiErrors';
import { parseRetryAfter } from './retryAfter';
import type { AcceptedEvent, FetchedEvent } from './types';

/** The content types of `POST /events` the CLI sends. */
export const EVENT_CONTENT_TYPE = { structured: 'application/cloudevents+json', batch: 'application/cloudevents-batch+json' } as const;

/** Answers that say "not now": the request is sent again after the wait the bus asks for. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

export interface BusApiOptions {
  /** Per request. @default 30_000 */
  timeoutMs?: number;
  /** Further tries of a request the bus pushed back (429/503, `Retry-After`) or whose connection was cut. @default 5 */
  maxRetries?: number;
  /** Longest wait between tries, whatever `Retry-After` says, in ms. @default 30_000 */
  maxWaitMs?: number;
  /** Told before each wait, for a line on stderr. */
  onRetry?: (reason: string, waitMs: number) => void;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The bus's HTTP API for the CLI: axios over keep-alive agents (a file of batches reuses one connection), the
 * bearer token on every request, bounded retries of what the bus pushed back, and every failure turned into an
 * error whose message says what to do (`ApiRequestError` for an answer, `ApiUnreachableError` for none).
 * Retrying `POST /events` is safe: the bus answers events it already holds as duplicates.
 */
export class BusApi {
  private readonly http: AxiosInstance;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  private readonly timeoutMs: number;
  private readonly where: string;

  constructor(
    readonly target: ApiTarget,
    private readonly options: BusApiOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.where = target.description;
    this.http = axios.create({
      baseURL: target.url,
      timeout: this.timeoutMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      headers: target.token ? { Authorization: `Bearer ${target.token}` } : {},
      // Every status is an answer to read here, and bodies are parsed here (an error page need not be JSON).
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      maxBodyLength: Infinity,
      maxRedirects: 0,
    });
  }

  /** `POST /events` with a body already serialized: the accepted entries, in request order. */
  async publish(body: string, contentType: string): Promise<AcceptedEvent[]> {
    const response = await this.send(() => this.http.post('events', body, { headers: { 'Content-Type': contentType } }));
    const answer = this.expect(response, [202, 200], 'POST /events') as { accepted?: AcceptedEvent[] };
    if (!Array.isArray(answer?.accepted)) throw this.malformed('POST /events', response);
    return answer.accepted;
  }

  /** `GET /events/{id}?source=`: the stored event (a 404 when the bus holds none is an ApiRequestError). */
  async getEvent(id: string, source: string): Promise<FetchedEvent> {
    const response = await this.send(() => this.http.get(`events/${encodeURIComponent(id)}`, { params: { source } }));
    const event = this.expect(response, [200], 'GET /events/{id}') as CloudEventJson;
    const header = (name: string) => (typeof response.headers[name] === 'string' ? (response.headers[name] as string) : undefined);
    return { event, sequence: header('switchyard-sequence'), shard: header('switchyard-shard') };
  }

  /** `GET /types`: the event types the bus has seen. */
  async listTypes(): Promise<string[]> {
    const response = await this.send(() => this.http.get('types'));
    const answer = this.expect(response, [200], 'GET /types') as { types?: unknown };
    if (!Array.isArray(answer?.types) || !answer.types.every((type) => typeof type === 'string')) throw this.malformed('GET /types', response);
    return answer.types as string[];
  }

  /** Releases the kept-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Sends, waiting and sending again while the bus pushes back or a connection is cut, up to `maxRetries` times. */
  private async send(request: () => Promise<AxiosResponse<string>>): Promise<AxiosResponse<string>> {
    const maxRetries = this.options.maxRetries ?? 5;
    const maxWaitMs = this.options.maxWaitMs ?? 30_000;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0; ; attempt++) {
      let response: AxiosResponse<string> | undefined;
      let failure: ApiUnreachableError | undefined;
      try {
        response = await request();
      } catch (error) {
        failure = apiUnreachableError(error, this.where, this.timeoutMs);
      }
      const retryable = failure ? failure.retryable : RETRY_STATUSES.has(response!.status);
      if (!retryable || attempt >= maxRetries) {
        if (failure) throw failure;
        return response!;
      }
      const asked = response ? parseRetryAfter(headerOf(response, 'retry-after')) : undefined;
      const waitMs = Math.min(maxWaitMs, asked ?? 500 * 2 ** attempt);
      this.options.onRetry?.(failure ? failure.message : `${this.where} answered ${response!.status}`, waitMs);
      await sleep(waitMs);
    }
  }

  /** The parsed body of an answer to `what` with one of the `ok` statuses; any other status becomes its ApiRequestError. */
  private expect(response: AxiosResponse<string>, ok: number[], what: string): unknown {
    const body = parseBody(response.data);
    if (!ok.includes(response.status)) {
      throw apiRequestError(response.status, body, this.where, parseRetryAfter(headerOf(response, 'retry-after')));
    }
    if (body === undefined) throw this.malformed(what, response);
    return body;
  }

  private malformed(what: string, response: AxiosResponse<string>): ApiUnreachableError {
    return new ApiUnreachableError(`${this.where} answered ${what} with ${response.status} and a body that is not the bus API's: check --url / --stage`, false);
  }
}

function headerOf(response: AxiosResponse, name: string): string | undefined {
  const value: unknown = response.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function parseBody(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
