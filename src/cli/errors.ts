/**
 * A mistake or failure the person at the terminal can act on (a missing option, a bus that is not running, an
 * event the bus refused): printed as one line (plus any detail lines) without a stack trace. Exit code 2 for a
 * usage mistake (the default), 1 for a failure (`CliError.failure`).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }

  /** A command that was used correctly but did not succeed (exit code 1). */
  static failure(message: string, options?: ErrorOptions): CliError {
    return new CliError(message, 1, options);
  }
}
