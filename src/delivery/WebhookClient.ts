import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type GenericAbortSignal } from 'axios';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { DEFAULT_MAX_SOCKETS_PER_HOST, DEFAULT_USER_AGENT, MAX_DRAINED_BODY_BYTES } from './constants';
import { classifyStatus, failureOutcome } from './failurePolicy';
import { describeUrl } from './describeUrl';
import { errorMessage } from './errorMessage';
import { TransportError } from './errors';
import { FAILURE_REASON, type DeliveryOutcome } from './types';

/** How webhook and token requests leave the process. */
export interface WebhookClientOptions {
  /**
   * Allow private, loopback, link-local and metadata addresses (10/8, 127/8, 169.254/16, fc00::/7, ::1 …).
   * True only for the local bus, whose receivers live on loopback; in AWS such targets are refused (SSRF),
   * whatever the hostname resolves to, and the refusal is a dead letter rather than a retry.
   * @default false
   */
  allowPrivateNetworks?: boolean;
  /**
   * Refuse `http:` URLs. The signature protects integrity only; payloads and OAuth bearer tokens would cross
   * the internet in clear, so AWS mode wants TLS unless a deployment opts out on purpose.
   * @default !allowPrivateNetworks (https only in AWS mode, http allowed on the local bus)
   */
  requireHttps?: boolean;
  /** Keep-alive sockets per origin. @default 64 */
  maxSocketsPerHost?: number;
  /** `User-Agent` of every request. @default 'Switchyard-Webhooks/0.1' */
  userAgent?: string;
  /** Wall clock, for `Retry-After` dates. @default Date.now */
  now?: () => number;
}

/** One POST. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Deadline for the whole exchange: connect, send, status and draining the body. */
  timeoutMs: number;
  /** Keep up to this many bytes of the response body (the rest is drained and dropped). @default 0 */
  keepBodyBytes?: number;
}

/** What came back. Header names are lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Bound of the checked-URL cache (one entry per target URL; cleared when full). */
const MAX_CHECKED_URLS = 1024;

/** request-filtering-agent reports a refused address with this text (it sets no error code). */
const REFUSED_ADDRESS = /DNS lookup (\S*?)\(.*is not allowed/;
/** Node's codes for a header name or value it will not send. */
const INVALID_HEADER_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

/**
 * POSTs webhooks over keep-alive connections (one pool per client, reused across deliveries), never follows
 * redirects, never uses an environment proxy (which would bypass the address check), and bounds every
 * exchange by a deadline. In AWS mode (`allowPrivateNetworks: false`) connections go through
 * request-filtering-agent, which checks the address actually connected to, after DNS, so a public name
 * pointing at 169.254.169.254 is refused as well.
 */
export class WebhookClient {
  readonly allowPrivateNetworks: boolean;
  readonly requireHttps: boolean;
  private readonly userAgent: string;
  private readonly now: () => number;
  private readonly axios: AxiosInstance;
  private readonly agents: Agents;
  /** Target URLs that passed `checkUrl`, by their text. */
  private readonly checkedUrls = new Map<string, URL>();

  constructor(options: WebhookClientOptions = {}) {
    this.allowPrivateNetworks = options.allowPrivateNetworks ?? false;
    this.requireHttps = options.requireHttps ?? !this.allowPrivateNetworks;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.now = options.now ?? Date.now;
    this.agents = createAgents(this.allowPrivateNetworks, options.maxSocketsPerHost ?? DEFAULT_MAX_SOCKETS_PER_HOST);
    this.axios = axios.create({
      maxRedirects: 0,
      validateStatus: () => true,
      proxy: false,
      decompress: false,
      responseType: 'stream',
      maxBodyLength: Infinity,
      // Bodies are sent byte for byte as signed: no JSON or form re-encoding, no guessed content type.
      transformRequest: [(data: unknown) => data],
    });
  }

  /** POSTs a delivery and classifies the answer. Never throws. */
  async post(request: HttpRequest): Promise<DeliveryOutcome> {
    const started = performance.now();
    try {
      const response = await this.exchange(request);
      return classifyStatus(response.status, response.headers['retry-after'], elapsed(started), this.now());
    } catch (error) {
      return failureOutcome(error, elapsed(started));
    }
  }

  /**
   * One POST, answered with any status.
   * @throws TransportError when no status came back: `invalid_target` or `ssrf_refused` (not retryable),
   *   `timeout` or `connection` (retryable).
   */
  async exchange(request: HttpRequest): Promise<HttpResponse> {
    const url = this.checkUrl(request.url);
    const deadline = new ExchangeDeadline(request.timeoutMs);
    try {
      const response = await this.axios.request<Readable>({
        url: url.href,
        method: 'POST',
        headers: {
          'user-agent': this.userAgent,
          // `false` stops axios from labelling a body without a type as a form (an empty binary-mode body).
          ...(hasHeader(request.headers, 'content-type') ? {} : { 'content-type': false }),
          ...request.headers,
        },
        data: request.body,
        signal: deadline,
        httpAgent: this.agents.http,
        httpsAgent: this.agents.https,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      let body: Buffer = Buffer.alloc(0);
      try {
        body = await drain(response.data, request.keepBodyBytes ?? 0);
      } catch (error) {
        // The status is in; a body cut short only matters to callers that asked to keep it.
        if ((request.keepBodyBytes ?? 0) > 0) throw error;
      }
      return { status: response.status, headers, body };
    } catch (error) {
      throw this.transportError(error, url, deadline.aborted, request.timeoutMs);
    } finally {
      deadline.clear();
    }
  }

  /** Closes idle keep-alive sockets; in-flight requests finish. */
  async destroy(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private checkUrl(raw: string): URL {
    // Every delivery of a subscription goes to the same URL: check it once (URLs are never mutated here).
    const known = this.checkedUrls.get(raw);
    if (known !== undefined) return known;
    const url = this.parseUrl(raw);
    if (this.checkedUrls.size >= MAX_CHECKED_URLS) this.checkedUrls.clear();
    this.checkedUrls.set(raw, url);
    return url;
  }

  private parseUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TransportError('target URL is not a valid absolute URL', FAILURE_REASON.invalidTarget, false);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TransportError(`target URL scheme "${url.protocol}" is not allowed; use https`, FAILURE_REASON.invalidTarget, false);
    }
    if (url.protocol === 'http:' && this.requireHttps) {
      throw new TransportError(
        `plain http is refused for ${describeUrl(url)}: use https (requireHttps is on, the default in AWS mode)`,
        FAILURE_REASON.invalidTarget,
        false,
      );
    }
    return url;
  }

  private transportError(error: unknown, url: URL, timedOut: boolean, timeoutMs: number): TransportError {
    if (error instanceof TransportError) return error;
    const target = describeUrl(url);
    if (timedOut) {
      return new TransportError(`no complete answer from ${target} within ${timeoutMs} ms`, FAILURE_REASON.timeout, true, { cause: error });
    }
    const message = errorMessage(error);
    const refused = REFUSED_ADDRESS.exec(message);
    if (refused) {
      const address = refused[1] || url.hostname;
      return new TransportError(
        `refused to connect to ${target}: ${address} is a private, loopback, link-local or metadata address (allowPrivateNetworks is off in AWS mode)`,
        FAILURE_REASON.ssrfRefused,
        false,
        { cause: error },
      );
    }
    const code = codeOf(error);
    if (code !== undefined && INVALID_HEADER_CODES.has(code)) {
      return new TransportError(`request to ${target} has an invalid header: ${message}`, FAILURE_REASON.invalidTarget, false, { cause: error });
    }
    return new TransportError(`request to ${target} failed${code ? ` (${code})` : ''}: ${message}`, FAILURE_REASON.connection, true, { cause: error });
  }
}

/** One keep-alive pool per client; in AWS mode the agents refuse private addresses after DNS (SSRF). */
function createAgents(allowPrivateNetworks: boolean, maxSockets: number): Agents {
  const common = { keepAlive: true, maxSockets };
  if (allowPrivateNetworks) return { http: new HttpAgent(common), https: new HttpsAgent(common) };
  const filter = { allowPrivateIPAddress: false, allowMetaIPAddress: false };
  return { http: new RequestFilteringHttpAgent({ ...common, ...filter }), https: new RequestFilteringHttpsAgent({ ...common, ...filter }) };
}

type AbortListener = (event: { type: 'abort' }) => void;

/**
 * The deadline of one exchange, handed to axios as its abort signal (axios accepts any `GenericAbortSignal`):
 * one timer and the listeners axios adds, which is all it uses. Cheaper than an AbortController, whose
 * EventTarget costs several microseconds per delivery. Aborting covers the whole exchange: before the
 * status, axios destroys the request; after it, axios errors the response stream being drained.
 */
class ExchangeDeadline implements GenericAbortSignal {
  aborted = false;
  private listeners: AbortListener[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  addEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort') this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type === 'abort') this.listeners = this.listeners.filter((candidate) => candidate !== listener);
  }

  /** The exchange is over: the timer goes (listeners are removed by axios itself). */
  clear(): void {
    clearTimeout(this.timer);
  }

  private expire(): void {
    this.aborted = true;
    for (const listener of this.listeners) listener({ type: 'abort' });
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Reads the body to its end, so the socket returns to the keep-alive pool, keeping the first `keepBytes`.
 * Past MAX_DRAINED_BODY_BYTES the stream is destroyed instead: losing one socket is cheaper.
 * Plain listeners rather than `for await`: the async iterator costs several promises and listeners per
 * response, noticeable when every delivery drains a body (most often an empty one).
 */
function drain(stream: Readable, keepBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let seen = 0;
    const settle = (error?: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve(kept.length === 1 ? kept[0] : Buffer.concat(kept));
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (keptBytes < keepBytes) {
        const part = chunk.subarray(0, keepBytes - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (seen > MAX_DRAINED_BODY_BYTES) {
        settle();
        stream.destroy();
      }
    };
    const onEnd = () => settle();
    const onError = (error: Error) => settle(error);
    // Closed before its end without an error (the connection dropped): the body is incomplete.
    const onClose = () => settle(new Error('response body ended prematurely'));
    if (stream.readableEnded) return settle();
    if (stream.destroyed) return settle(new Error('response body ended prematurely'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
