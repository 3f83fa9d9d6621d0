import { isRfc3339 } from './formats';
import type { CloudEventJson, FieldError } from './types';
import { validateCloudEvent } from './validateCloudEvent';

/**
 * Where each CloudEvent attribute comes from in a PageUp EventSystem envelope (the `PageUp.Events.Event` JSON):
 *
 *   { "Header":  { "Origin", "TransportTimeStamp", "InstanceId", "UserId", "Metadata", "CorrelationId"? },
 *     "Message": { "Header": { "MessageType", "MessageId", "CorrelationId", "Metadata" }, "Body": {...} } }
 *
 * PageUp stores the correlation id from `Message.Header`; older envelopes carry it in the outer `Header`, so both are read.
 */
const PAGEUP_FIELDS = [
  { attribute: 'id', paths: ['Message.Header.MessageId'], required: true },
  { attribute: 'source', paths: ['Header.Origin'], required: true },
  { attribute: 'type', paths: ['Message.Header.MessageType'], required: true },
  { attribute: 'time', paths: ['Header.TransportTimeStamp'], required: false },
  { attribute: 'correlationid', paths: ['Message.Header.CorrelationId', 'Header.CorrelationId'], required: false },
  // The PageUp tenant; kept so subscriptions can filter on it. UserId and Metadata are left out (personal / free-form).
  { attribute: 'instanceid', paths: ['Header.InstanceId'], required: false },
  { attribute: 'data', paths: ['Message.Body'], required: true },
] as const;

/**
 * Converts a PageUp EventSystem envelope into a CloudEvent (`datacontenttype: application/json`, data = the body), or
 * returns every failure with `field` naming the PageUp path (`Message.Header.MessageType`), never a CloudEvents name.
 * `TransportTimeStamp` (.NET `DateTime`, e.g. `2017-07-21T00:28:54.2282942Z`) is normalised to RFC 3339, UTC assumed
 * when it has no offset.
 */
export function fromPageUpEnvelope(body: unknown, index: number): CloudEventJson | FieldError[] {
  if (!isObject(body)) return [{ index, field: 'envelope', message: 'must be a JSON object with Header and Message' }];
  const errors: FieldError[] = [];
  const event: Record<string, unknown> = { specversion: '1.0' };
  const pathOf: Record<string, string> = {};

  for (const { attribute, paths, required } of PAGEUP_FIELDS) {
    const path = paths.find((candidate) => valueAt(body, candidate) !== undefined && valueAt(body, candidate) !== null);
    pathOf[attribute] = path ?? paths[0];
    if (path === undefined) {
      if (required) errors.push({ index, field: paths[0], message: 'required' });
      continue;
    }
    const value = valueAt(body, path);
    if (attribute === 'data') {
      event.data = value;
      event.datacontenttype = 'application/json';
    } else if (typeof value !== 'string') {
      errors.push({ index, field: path, message: `must be a string (got ${Array.isArray(value) ? 'an array' : typeof value})` });
    } else if (attribute === 'time') {
      const time = normaliseTimestamp(value);
      if (time === undefined) errors.push({ index, field: path, message: `must be an ISO 8601 date-time (got ${JSON.stringify(value)})` });
      else event.time = time;
    } else {
      event[attribute] = value;
    }
  }
  // The converted event must also be a valid CloudEvent (e.g. Origin a URI-reference); report it under PageUp's names.
  for (const error of validateCloudEvent(event, index)) {
    if (!errors.some((known) => known.field === (pathOf[error.field] ?? error.field))) {
      errors.push({ ...error, field: pathOf[error.field] ?? error.field });
    }
  }
  return errors.length > 0 ? errors : (event as CloudEventJson);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: Record<string, unknown>, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

// .NET writes DateTime as `yyyy-MM-ddTHH:mm:ss.FFFFFFFK`: up to 7 fraction digits, and K empty for an unspecified kind.
const DOTNET_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2})?(\.\d+)?\s*(?:([Zz])|([+-]\d{2}):?(\d{2})?)?$/;

function normaliseTimestamp(value: string): string | undefined {
  const match = DOTNET_DATE_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, date, hoursMinutes, seconds = ':00', fraction = '', , offsetHours, offsetMinutes = '00'] = match;
  const offset = offsetHours === undefined ? 'Z' : `${offsetHours}:${offsetMinutes}`;
  const time = `${date}T${hoursMinutes}${seconds}${fraction}${offset}`;
  return isRfc3339(time) ? time : undefined;
}
