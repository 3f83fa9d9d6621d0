import {
  DEFAULT_TOKEN_LIFETIME_MS,
  DEFAULT_TOKEN_SAFETY_MARGIN_MS,
  DEFAULT_TOKEN_TIMEOUT_MS,
  MAX_ERROR_DETAIL_CHARS,
  MAX_TOKEN_RESPONSE_BYTES,
} from './constants';
import { describeStatus } from './describeStatus';
import { describeUrl } from './describeUrl';
import { errorMessage } from './errorMessage';
import { DeliveryError, TokenRequestError } from './errors';
import { parseRetryAfter } from './parseRetryAfter';
import { redact } from './redact';
import type { HttpResponse, WebhookClient } from './WebhookClient';

/** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
export const CLIENT_AUTH = {
  /** `Authorization: Basic` of the form-encoded id and secret: what every server must support. */
  basic: 'basic',
  /** `client_id` and `client_secret` in the form body, for servers that only read those. */
  body: 'body',
} as const;
export type ClientAuth = (typeof CLIENT_AUTH)[keyof typeof CLIENT_AUTH];

/** Options of an OAuthTokenCache. */
export interface OAuthTokenCacheOptions {
  /** Sends token requests, with the same address rules as deliveries. */
  client: WebhookClient;
  /** @default 'basic' */
  clientAuth?: ClientAuth;
  /** A token is renewed this long before `expires_in` runs out (at most half its lifetime). @default 30000 */
  safetyMarginMs?: number;
  /** Lifetime assumed when the token response has no `expires_in`. @default 300000 (5 min) */
  defaultLifetimeMs?: number;
  /** Deadline of one token request. @default 10000 */
  timeoutMs?: number;
  /** Clock for expiry; injectable for tests. @default Date.now */
  now?: () => number;
}

/** Which token to get; the secret is already resolved. */
export interface TokenRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * Client-credentials tokens, cached per (tokenUrl, clientId, scope) until shortly before they expire and
 * shared by every delivery: concurrent callers wait on one in-flight request (one token request, not one
 * per event). Failures are not cached, so the next delivery asks again.
 */
export class OAuthTokenCache {
  private readonly client: WebhookClient;
  private readonly clientAuth: ClientAuth;
  private readonly safetyMarginMs: number;
  private readonly defaultLifetimeMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private requests = 0;

  constructor(options: OAuthTokenCacheOptions) {
    this.client = options.client;
    this.clientAuth = options.clientAuth ?? CLIENT_AUTH.basic;
    this.safetyMarginMs = options.safetyMarginMs ?? DEFAULT_TOKEN_SAFETY_MARGIN_MS;
    this.defaultLifetimeMs = options.defaultLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** Token-endpoint requests sent so far (the benchmark's "token requests per 1,000 OAuth deliveries"). */
  get tokenRequests(): number {
    return this.requests;
  }

  /**
   * A valid access token, from the cache or from one shared request.
   * @throws TokenRequestError (retryable unless the URL is unusable); the message never holds the secret.
   */
  async getToken(request: TokenRequest): Promise<string> {
    const key = cacheKey(request);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.accessToken;
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.fetchToken(request).finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return (await inFlight).accessToken;
  }

  /**
   * Forgets `token` after a receiver refused it (401). Only that token: when many deliveries fail with it at
   * once, the first drops it and the rest find the renewal already under way, so it is renewed once.
   */
  invalidate(request: TokenRequest, token: string): void {
    const key = cacheKey(request);
    if (this.tokens.get(key)?.accessToken === token) this.tokens.delete(key);
  }

  private async fetchToken(request: TokenRequest): Promise<CachedToken> {
    const key = cacheKey(request);
    this.requests += 1;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (request.scope) form.set('scope', request.scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.clientAuth === CLIENT_AUTH.basic) {
      // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
      const credentials = `${formEncode(request.clientId)}:${formEncode(request.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      form.set('client_id', request.clientId);
      form.set('client_secret', request.clientSecret);
    }
    const endpoint = describeUrl(request.tokenUrl);
    const secrets = [request.clientSecret, formEncode(request.clientSecret)];
    let response: HttpResponse;
    try {
      response = await this.client.exchange({
        url: request.tokenUrl,
        headers,
        body: form.toString(),
        timeoutMs: this.timeoutMs,
        keepBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      });
    } catch (error) {
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      throw new TokenRequestError(redact(`token request to ${endpoint} failed: ${errorMessage(error)}`, secrets), retryable, undefined, undefined, {
        cause: error,
      });
    }
    const token = this.readToken(response, endpoint, secrets);
    this.tokens.set(key, token);
    return token;
  }

  private readToken(response: HttpResponse, endpoint: string, secrets: string[]): CachedToken {
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(response.body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const fail = (detail: string): TokenRequestError => {
      const throttled = response.status === 429 || response.status === 503;
      const retryAfterMs = throttled ? parseRetryAfter(response.headers['retry-after'], this.now()) : undefined;
      return new TokenRequestError(redact(`token endpoint ${endpoint} ${detail}`, secrets), true, response.status, retryAfterMs);
    };
    if (response.status < 200 || response.status >= 300) {
      // RFC 6749 §5.2 error body: `error` and `error_description` say what was wrong (invalid_client, …).
      const oauthError = body && typeof body.error === 'string' ? `: ${body.error}` : '';
      const description = body && typeof body.error_description === 'string' ? ` (${body.error_description})` : '';
      throw fail(`answered ${describeStatus(response.status)}${oauthError}${description}`.slice(0, MAX_ERROR_DETAIL_CHARS));
    }
    if (!body) throw fail(`answered ${response.status} without a JSON object`);
    const accessToken = body.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') throw fail('answered without an access_token');
    const tokenType = body.token_type;
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw fail(`issued a token of type "${String(tokenType)}"; only Bearer tokens can be sent`);
    }
    return { accessToken, expiresAt: this.now() + this.usableLifetime(body.expires_in) };
  }

  /** How long to use a token: `expires_in` less the safety margin, but never less than half of it. */
  private usableLifetime(expiresIn: unknown): number {
    const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) : NaN;
    const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : this.defaultLifetimeMs;
    return Math.max(lifetime - this.safetyMarginMs, lifetime / 2);
  }
}

function cacheKey(request: TokenRequest): string {
  return JSON.stringify([request.tokenUrl, request.clientId, request.scope ?? '']);
}

/** application/x-www-form-urlencoded encoding of one value (spaces as `+`). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
