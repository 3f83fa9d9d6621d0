/** Base class of the stream module's errors. */
export class StreamError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StreamError';
  }
}

/**
 * The stream would not take every record within the retry budget. `landed` lists the indexes (into the
 * publish call's input) that are durably in the stream, so the caller can remember them for dedupe and a
 * retry of the whole request neither loses nor repeats an event.
 */
export class PublishIncompleteError extends StreamError {
  constructor(
    message: string,
    readonly landed: ReadonlyMap<number, PublishedRecord>,
    /** True when every remaining failure was a throttle (the stream pushes back: 429), else 503. */
    readonly throttled: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PublishIncompleteError';
  }
}

/** Where one record landed. */
export interface PublishedRecord {
  sequence: string;
  shard: string;
}

/** A Kinesis record that does not hold a CloudEvent. */
export class UndecodableRecordError extends StreamError {
  constructor(
    message: string,
    readonly sequence: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UndecodableRecordError';
  }
}
