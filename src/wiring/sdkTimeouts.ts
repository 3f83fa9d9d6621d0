/**
 * The AWS SDK's socket timeouts, set per function from its own timeout so that a hung call (a PutRecords that never
 * answers) fails inside the invocation with an error the handler reports, instead of outliving it.
 */

/** The SDK's attempts per call (`maxAttempts` of every client, see `commonClientConfig`). */
export const SDK_MAX_ATTEMPTS = 3;

/** AWS calls a request may make one after another (ingest: the duplicate check, then PutRecords). */
export const SDK_CALLS_IN_SEQUENCE = 2;

/** Longest wait for a connection and for a quiet socket, whatever the function's timeout. */
export const SDK_TIMEOUT_CAPS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 } as const;

/** Kept free at the end of the invocation for the handler to answer (and the retries' backoff); a quarter of a shorter function's time. */
export const SDK_TIMEOUT_MARGIN_MS = 2_000;

/** Connection and request (socket idle) timeouts of the SDK's HTTP handler, in ms. */
export interface SdkTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Timeouts that let every attempt of {@link SDK_CALLS_IN_SEQUENCE} calls fail within `functionTimeoutMs` less the
 * margin: each attempt gets an equal share, a quarter of it (at most 3 s) to connect and the rest (at most 30 s)
 * for the socket to stay quiet. Ingest (29 s): 1.1 s to connect, 3.4 s quiet, so three attempts of two hung calls
 * end by 27 s.
 */
export function sdkTimeoutsWithin(functionTimeoutMs: number): SdkTimeouts {
  if (!(Number.isFinite(functionTimeoutMs) && functionTimeoutMs >= 1000)) {
    throw new RangeError(`the function's timeout must be at least 1000 ms, got ${functionTimeoutMs}`);
  }
  // A short function keeps a quarter of its time free instead of the full margin.
  const margin = Math.min(SDK_TIMEOUT_MARGIN_MS, Math.floor(functionTimeoutMs / 4));
  const perAttemptMs = Math.floor((functionTimeoutMs - margin) / (SDK_MAX_ATTEMPTS * SDK_CALLS_IN_SEQUENCE));
  const connectionTimeoutMs = Math.min(SDK_TIMEOUT_CAPS.connectionTimeoutMs, Math.floor(perAttemptMs / 4));
  const requestTimeoutMs = Math.min(SDK_TIMEOUT_CAPS.requestTimeoutMs, perAttemptMs - connectionTimeoutMs);
  return { connectionTimeoutMs, requestTimeoutMs };
}
