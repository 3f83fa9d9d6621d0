/** Base of every error from `src/worker`. */
export class WorkerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkerError';
  }
}

/** Another run holds the event's idempotency claim right now; try again after `retryAfterMs`. */
export class EventInProgressError extends WorkerError {
  constructor(
    readonly source: string,
    readonly id: string,
    readonly retryAfterMs: number,
  ) {
    super(`event source ${JSON.stringify(source)} id ${JSON.stringify(id)} is being handled elsewhere; retry in ${retryAfterMs} ms`);
    this.name = 'EventInProgressError';
  }
}

/**
 * `complete` or `fail` found the idempotency claim no longer held by this token: it outlived the in-progress
 * timeout and another run took it over. The handler's effects of this run have happened.
 */
export class EventClaimLostError extends WorkerError {
  constructor(
    readonly source: string,
    readonly id: string,
    readonly currentStatus: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `idempotency claim on source ${JSON.stringify(source)} id ${JSON.stringify(id)} was taken over ` +
        (currentStatus ? `(record is ${currentStatus})` : '(record is gone)'),
      options,
    );
    this.name = 'EventClaimLostError';
  }
}

/**
 * The handler succeeded but its idempotency record could not be marked completed (DynamoDB failed after
 * the SDK's own retries). The claim is still held: retry `complete(event, token)` rather than running the
 * handler again, which a new claim would do once the in-progress mark expired.
 */
export class EventCompletionError extends WorkerError {
  constructor(
    readonly source: string,
    readonly id: string,
    readonly token: string,
    readonly attempt: number,
    options?: ErrorOptions,
  ) {
    super(`event source ${JSON.stringify(source)} id ${JSON.stringify(id)} was handled but its completion was not recorded`, options);
    this.name = 'EventCompletionError';
  }
}

/** A conditional write on a lease (renew, checkpoint, release) was refused: the lease moved to another owner or counter. */
export class LeaseLostError extends WorkerError {
  constructor(
    readonly consumer: string,
    readonly shardId: string,
    readonly fencingToken: number,
    options?: ErrorOptions,
  ) {
    super(`lease of consumer ${JSON.stringify(consumer)} on shard ${shardId} (fencing token ${fencingToken}) is no longer held`, options);
    this.name = 'LeaseLostError';
  }
}

/**
 * A new consumer would pass the stage's limit of distinct worker consumers (`maxWorkerConsumers`, Chef Automate's
 * `listener_limit`): it is refused before it takes any lease.
 */
export class ConsumerLimitError extends WorkerError {
  constructor(
    readonly consumer: string,
    readonly maxConsumers: number,
    readonly registered: readonly string[],
  ) {
    const shown = registered.slice(0, 10).map((name) => JSON.stringify(name)).join(', ');
    const more = registered.length > 10 ? ` and ${registered.length - 10} more` : '';
    super(
      `consumer ${JSON.stringify(consumer)} refused: the stage allows at most ${maxConsumers} worker consumers (maxWorkerConsumers), and ${registered.length} are registered (${shown}${more}); reuse one of their names, remove one that is gone (switchyard consumers remove <name>), or raise maxWorkerConsumers`,
    );
    this.name = 'ConsumerLimitError';
  }
}
