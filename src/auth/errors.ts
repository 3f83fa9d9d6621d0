import type { FieldError } from '../events/types';

/** Missing or wrong credentials: `src/http/httpErrorOf.ts` answers it 401 with `WWW-Authenticate: Bearer`. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** What a 403 names: a `source` or a `type` the credential holds no right to. */
export const FORBIDDEN_CODE = { source: 'forbidden_source', type: 'forbidden_type' } as const;
export type ForbiddenCode = (typeof FORBIDDEN_CODE)[keyof typeof FORBIDDEN_CODE];

/**
 * A known caller asked for something its rights do not cover: `src/http/httpErrorOf.ts` answers it 403 with
 * `code` and the `details` (each refused event's `index` and `field`), and nothing of the request is done.
 */
export class ForbiddenError extends Error {
  constructor(
    readonly code: ForbiddenCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The credentials document (stage secret or local producers file) is not in the expected shape; names the field. */
export class CredentialsDocumentError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CredentialsDocumentError';
  }
}
