/**
 * The stream did not take every event of the request (Kinesis throttled it, or failed): nothing is lost, and a
 * retry of the whole request is safe (events that already landed are dropped as duplicates by the router).
 * `src/http/httpErrorOf.ts` answers it 429 (throttled) or 503, with `Retry-After`.
 */
export class StreamPushbackError extends Error {
  constructor(
    /** True when the stream throttled the request; false when it failed otherwise. */
    readonly throttled: boolean,
    /** How long the producer should wait before retrying, in seconds. */
    readonly retryAfterSeconds: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StreamPushbackError';
  }
}
