/** A replay asked for something that cannot be: the field, and what it must be. */
export class InvalidReplayError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidReplayError';
  }
}

/** A `--from <sequence>` that the stream no longer holds (past its retention), or never held. */
export class SequenceNotInStreamError extends InvalidReplayError {
  constructor(readonly sequence: string, streamName: string) {
    super('from', `sequence ${sequence} is not in stream ${streamName} (past its retention, or never written): give --from as an ISO 8601 time instead`);
    this.name = 'SequenceNotInStreamError';
  }
}
