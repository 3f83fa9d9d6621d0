import type { PatternError } from './types';

/** Base class of the errors raised by the subscription matcher. */
export class RoutingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RoutingError';
  }
}

/**
 * A pattern (or a subscription's `types`/`subjects`) was refused when compiled. `errors` lists every
 * problem found, each with the path of the offending part.
 */
export class InvalidPatternError extends RoutingError {
  readonly errors: readonly PatternError[];

  constructor(errors: readonly PatternError[], options?: ErrorOptions) {
    const shown = errors
      .slice(0, 5)
      .map((error) => `${error.path}: ${error.message}`)
      .join('; ');
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    super(`invalid pattern: ${shown}${more}`, options);
    this.name = 'InvalidPatternError';
    this.errors = errors;
  }
}
