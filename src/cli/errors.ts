/**
 * A mistake the person at the terminal can fix (a missing option, a bus that is not running, a handler module
 * without a handler): printed as one line without a stack trace, exit code 2.
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
}
