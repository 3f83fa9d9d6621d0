import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { DEFAULT_MAX_SOCKETS_PER_HOST, DEFAULT_USER_AGENT, MAX_DRAINED_BODY_BYTES } from './constants';
import { classifyStatus } from './classifyStatus';
import { describeUrl } from './describeUrl';
import { errorMessage } from './errorMessage';
import { TransportError } from './errors';
import { failureOutcome } from './failureOutcome';
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
 * Headers every request carries, as axios 1.x sent them when it carried these requests (receivers see the
 * same request as before). `Accept-Encoding` is only advertised: bodies are never decompressed.
 */
const ACCEPT = 'application/json, text/plain, */*';
const ACCEPT_ENCODING = 'gzip, compress, deflate, br';
/** Characters a header value cannot carry (outside tab, visible ASCII and Latin-1): dropped, as axios did. */
const UNSENDABLE_HEADER_CHARS = /[^\t\x20-\x7e\x80-\xff]+/g;
/** Idle time before TCP keep-alive probes on a connection (axios's setting). */
const TCP_KEEPALIVE_DELAY_MS = 60_000;

/**
 * POSTs webhooks over keep-alive connections (one pool per client, reused across deliveries), never follows
 * redirects, never uses an environment proxy (which would bypass the address check), and bounds every
 * exchange by a deadline. In AWS mode (`allowPrivateNetworks: false`) connections go through
 * request-filtering-agent, which checks the address actually connected to, after DNS, so a public name
 * pointing at 169.254.169.254 is refused as well.
 *
 * Plain `node:http`/`node:https`, sending what axios sent when it carried these requests (the same headers in
 * the same order; test/integration/delivery/webhookClientWire.test.ts compares the two on the wire): axios
 * added ~270 KB to each delivery bundle (form-data, mime-db, follow-redirects, proxy agents) and did nothing
 * else here.
 */
export class WebhookClient {
  readonly allowPrivateNetworks: boolean;
  readonly requireHttps: boolean;
  private readonly userAgent: string;
  private readonly now: () => number;
  private readonly agents: Agents;
  /** Target URLs that passed `checkUrl`, by their text. */
  private readonly checkedUrls = new Map<string, URL>();

  constructor(options: WebhookClientOptions = {}) {
    this.allowPrivateNetworks = options.allowPrivateNetworks ?? false;
    this.requireHttps = options.requireHttps ?? !this.allowPrivateNetworks;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.now = options.now ?? Date.now;
    this.agents = createAgents(this.allowPrivateNetworks, options.maxSocketsPerHost ?? DEFAULT_MAX_SOCKETS_PER_HOST);
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
      const response = await this.send(url, request, deadline);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      let body: Buffer = Buffer.alloc(0);
      try {
        body = await drain(response, request.keepBodyBytes ?? 0);
      } catch (error) {
        // The status is in; a body cut short only matters to callers that asked to keep it.
        if ((request.keepBodyBytes ?? 0) > 0) throw error;
      }
      return { status: response.statusCode ?? 0, headers, body };
    } catch (error) {
      throw this.transportError(error, url, deadline.aborted, request.timeoutMs);
    } finally {
      deadline.clear();
    }
  }

  /**
   * Sends the POST and resolves with the response once its status and headers are in (the body still to be
   * read). The deadline aborts the request before then, and the response stream after.
   */
  private send(url: URL, request: HttpRequest, deadline: ExchangeDeadline): Promise<IncomingMessage> {
    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    // Credentials in the URL become Basic auth, replacing any Authorization header (as axios did).
    const auth = url.username || url.password ? `${decodeSafely(url.username)}:${decodeSafely(url.password)}` : undefined;
    const secure = url.protocol === 'https:';
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        {
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: 'POST',
          headers: wireHeaders(this.userAgent, request.headers, request.body, auth !== undefined),
          agent: secure ? this.agents.https : this.agents.http,
          ...(auth !== undefined ? { auth } : {}),
          insecureHTTPParser: false,
        },
        (response) => {
          if (req.destroyed) return;
          // After the status, the deadline cuts the body: the drain then fails.
          deadline.onExpire(() => {
            if (!response.destroyed) response.destroy(new Error('canceled'));
          });
          resolve(response);
        },
      );
      // Before the status, the deadline aborts the request.
      deadline.onExpire(() => {
        reject(new Error('canceled'));
        if (!req.destroyed) req.destroy(new Error('canceled'));
      });
      // Stays attached after the response: a later error (the socket dropping) must not go unhandled.
      req.on('error', reject);
      req.on('socket', (socket) => socket.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS));
      req.setTimeout(0);
      req.end(body);
    });
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
    const message = errorMessage(error) || aggregateErrorMessage(error);
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

/**
 * The deadline of one exchange: one timer and what to do when it fires. Cheaper than an AbortController,
 * whose EventTarget costs several microseconds per delivery. Aborting covers the whole exchange: before the
 * status, the request is destroyed; after it, the response stream being drained is.
 */
class ExchangeDeadline {
  aborted = false;
  private readonly listeners: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  onExpire(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The exchange is over: the timer goes, and with it the listeners. */
  clear(): void {
    clearTimeout(this.timer);
    this.listeners.length = 0;
  }

  private expire(): void {
    this.aborted = true;
    for (const listener of this.listeners) listener();
  }
}

/**
 * The request's headers, in axios's order and spelling: `Accept`, `Content-Type` when there is one, the user
 * agent, the request's own (names compared case-insensitively: a later one replaces the value and keeps the
 * first spelling), then `Content-Length` (left to Node for an empty string body) and `Accept-Encoding` unless
 * given; values stripped of characters a header cannot carry and of surrounding blanks. With URL credentials,
 * any Authorization header gives way to Basic auth.
 */
function wireHeaders(userAgent: string, headers: Record<string, string>, body: string | Buffer, urlAuth: boolean): OutgoingHttpHeaders {
  const names = new Map<string, string>(); // lower-case → spelling sent
  const values = new Map<string, string>(); // lower-case → value
  const set = (name: string, value: string, replace: boolean) => {
    const spelled = name.trim();
    const key = spelled.toLowerCase();
    if (!names.has(key)) names.set(key, spelled);
    else if (!replace) return;
    values.set(key, value.replace(UNSENDABLE_HEADER_CHARS, '').replace(/^[\t ]+|[\t ]+$/g, ''));
  };
  set('Accept', ACCEPT, true);
  names.set('content-type', 'Content-Type'); // its place; sent only with a value
  set('user-agent', userAgent, true);
  for (const [name, value] of Object.entries(headers)) set(name, value, true);
  if (body !== '') set('Content-Length', String(Buffer.byteLength(body)), false);
  if (urlAuth) {
    names.delete('authorization');
    values.delete('authorization');
  }
  set('Accept-Encoding', ACCEPT_ENCODING, false);
  const wire: OutgoingHttpHeaders = {};
  for (const [key, spelled] of names) {
    const value = values.get(key);
    if (value !== undefined) wire[spelled] = value;
  }
  return wire;
}

/** A URL's user name or password as sent: percent-decoded, or as written when that fails. */
function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Node's dual-stack connection failures are an AggregateError with an empty message: its errors' messages. */
function aggregateErrorMessage(error: unknown): string {
  const errors = typeof error === 'object' && error !== null ? (error as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  const message = errors
    .map((entry) => String(typeof entry === 'object' && entry !== null && 'message' in entry && entry.message ? entry.message : entry))
    .filter(Boolean)
    .join('; ');
  return message || (error as Error).name || 'AggregateError';
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
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
