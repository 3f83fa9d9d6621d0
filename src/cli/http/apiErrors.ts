import { CliError } from '../errors';
import type { ApiErrorBody, ApiFieldError } from './types';

/**
 * The bus answered with an error status. Exit code 1; the message is the API's own (its `message`, then each
 * detail with its field), preceded by the status and code, and followed by what to do when that is known.
 */
export class ApiRequestError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly details: readonly ApiFieldError[],
    message: string,
    /** How long the bus asked to wait before trying again (429/503), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message, 1);
    this.name = 'ApiRequestError';
  }
}

/** The bus could not be reached, or did not answer: exit code 1 and what to check. */
export class ApiUnreachableError extends CliError {
  constructor(
    message: string,
    /** A reset connection or a timeout: sending the request again may succeed. */
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, 1, options);
    this.name = 'ApiUnreachableError';
  }
}

/** The error for an answer of `status` with `body` from the bus at `where` (its URL as the user gave it). */
export function apiRequestError(status: number, body: unknown, where: string, retryAfterMs?: number): ApiRequestError {
  const error = isErrorBody(body) ? body.error : undefined;
  const code = error?.code ?? `http_${status}`;
  const apiMessage = error?.message ?? `HTTP ${status} without an error body`;
  const details = error?.details ?? [];
  const advice = adviceFor(status);
  const head = `${where} answered ${status} ${code}: ${apiMessage}${advice ? ` — ${advice}` : ''}`;
  return new ApiRequestError(status, code, apiMessage, details, [head, ...detailLines(details)].join('\n'), retryAfterMs);
}

/** One line per detail: `  <field>: <message>`, with `event <index>` in front when the request held several. */
export function detailLines(details: readonly ApiFieldError[], label: (index: number) => string | undefined = defaultLabel(details)): string[] {
  return details.map((detail) => {
    const where = label(detail.index);
    return `  ${where ? `${where}: ` : ''}${detail.field}: ${detail.message}`;
  });
}

function defaultLabel(details: readonly ApiFieldError[]): (index: number) => string | undefined {
  const several = details.some((detail) => detail.index !== 0);
  return (index) => (several ? `event ${index}` : undefined);
}

function adviceFor(status: number): string | undefined {
  if (status === 401) return 'pass --token or set SWITCHYARD_TOKEN';
  if (status === 403) return "this producer's token may not publish that source or type";
  if (status === 429 || status === 503) return 'the bus is pushing back: try again later';
  if (status >= 500) return 'a fault of the bus: its logs say more; try again later';
  return undefined;
}

/** The transport failure of a request to `where` (the URL as the user gave it), with what to check. */
export function apiUnreachableError(error: unknown, where: string, timeoutMs: number): ApiUnreachableError {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  switch (code) {
    case 'ECONNREFUSED':
      return new ApiUnreachableError(`no bus at ${where}: start one with \`npm start\`, or pass --url / --stage`, false, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ApiUnreachableError(`cannot resolve the host of ${where}: check --url / --stage`, false, { cause: error });
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return new ApiUnreachableError(`no answer from ${where} within ${timeoutMs / 1000} s: try again, or check --url / --stage`, true, { cause: error });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_SOCKET_CONNECTION_TIMEOUT':
      return new ApiUnreachableError(`the connection to ${where} was cut (${code}): try again`, true, { cause: error });
    default:
      return new ApiUnreachableError(`request to ${where} failed: ${message ?? String(error)}`, /socket hang up/i.test(message ?? ''), { cause: error });
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as Partial<ApiErrorBody> | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}
