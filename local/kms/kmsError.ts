/**
 * A KMS failure in the AWS JSON 1.1 wire shape: `{"__type": type, "message": message}` with its status.
 * Every operation fails through `kmsError`, so the SDK maps each one to its modelled exception class.
 */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'KmsError';
  }

  toBody(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

/** Builds the error every operation throws: an AWS error type, a message, 400 unless said otherwise. */
export function kmsError(type: string, message: string, statusCode = 400): KmsError {
  return new KmsError(type, message, statusCode);
}

/** What every operation answers when `DryRun` is set and the request would have succeeded. */
export function dryRunError(): KmsError {
  return kmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 412);
}
