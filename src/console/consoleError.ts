import { HttpError } from '../http/HttpError';

/** A 400 naming the field the console was given wrongly. */
export function badField(field: string, message: string): HttpError {
  return new HttpError(400, 'invalid_request', message, [{ index: 0, field, message }]);
}

/** A 404 saying what was not found. */
export function notFound(message: string): HttpError {
  return new HttpError(404, 'not_found', message);
}

/** A required string of the query string or a JSON body, or a 400 naming it. */
export function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badField(field, `${field} is required (a non-empty string)`);
  return value;
}

/** An ISO 8601 time, or a 400 naming the field. */
export function isoField(value: unknown, field: string): string {
  const text = requiredText(value, field);
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw badField(field, `${field} must be an ISO 8601 time, got ${JSON.stringify(text)}`);
  return new Date(time).toISOString();
}

/** The request body as a JSON object, or a 400. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || '{}');
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badField('body', 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}
