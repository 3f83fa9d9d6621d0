import { MAX_EXTENSION_NAME_LENGTH } from './constants';
import type { FormatName } from './formats';

/**
 * The CloudEvents 1.0 attribute rules, as data (the way kinesalite declares its validations). The generic checker
 * in validateCloudEvent.ts applies them and collects every failure; nothing here throws.
 */
export interface AttributeRule {
  /** Absent (`undefined`) is an error. */
  readonly required?: boolean;
  /** `string`: a JSON string; `json`: any JSON value. */
  readonly type: 'string' | 'json';
  /** The empty string is an error. */
  readonly nonEmpty?: boolean;
  /** The only values allowed. */
  readonly oneOf?: readonly string[];
  /** No control characters, no unpaired surrogates: the value ends up in headers, logs and DynamoDB keys. */
  readonly plainText?: boolean;
  readonly format?: FormatName;
}

/** Context attributes of the spec, `data`/`data_base64` of the JSON format, and extensions the bus gives meaning to. */
export const ATTRIBUTE_RULES = {
  specversion: { required: true, type: 'string', oneOf: ['1.0'] },
  id: { required: true, type: 'string', nonEmpty: true, plainText: true },
  source: { required: true, type: 'string', nonEmpty: true, plainText: true, format: 'uri-reference' },
  type: { required: true, type: 'string', nonEmpty: true, plainText: true },
  datacontenttype: { type: 'string', nonEmpty: true, format: 'media-type' },
  // The spec types dataschema as URI (absolute), stricter than source's URI-reference.
  dataschema: { type: 'string', nonEmpty: true, format: 'uri' },
  subject: { type: 'string', nonEmpty: true, plainText: true },
  time: { type: 'string', format: 'rfc3339' },
  data: { type: 'json' },
  data_base64: { type: 'string', format: 'base64' },
  // Partitioning extension: the Kinesis partition key (partitionKeyOf), so it must be usable text.
  partitionkey: { type: 'string', nonEmpty: true, plainText: true },
} as const satisfies Record<string, AttributeRule>;

export type KnownAttribute = keyof typeof ATTRIBUTE_RULES;

/** Any other member of the event is an extension attribute. */
export const EXTENSION_RULE = {
  name: new RegExp(`^[a-z0-9]{1,${MAX_EXTENSION_NAME_LENGTH}}$`),
  nameMessage: `is not a valid extension name: use 1-${MAX_EXTENSION_NAME_LENGTH} lower-case letters or digits`,
  // CloudEvents' type system has String, Boolean and Integer (signed 32-bit); URI, timestamp and binary travel as strings.
  minInteger: -(2 ** 31),
  maxInteger: 2 ** 31 - 1,
  valueMessage: 'must be a string, a boolean or a 32-bit integer',
} as const;

/** A rule over several attributes: the field it reports on, and a message when the event breaks it. */
export interface CrossFieldRule {
  readonly field: string;
  readonly check: (event: Readonly<Record<string, unknown>>) => string | undefined;
}

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    field: 'data_base64',
    check: (event) =>
      event.data !== undefined && event.data_base64 !== undefined
        ? 'must not be present together with data (they are mutually exclusive)'
        : undefined,
  },
];
