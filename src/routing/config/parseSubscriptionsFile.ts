import { jsonErrorPosition } from './jsonErrorPosition';
import { parseSubscriptionsConfig } from './parseSubscriptionsConfig';
import type { ConfigError, ParseSubscriptionsOptions, ParseSubscriptionsResult } from './types';

/**
 * `parseSubscriptionsConfig` over the file's text, as read from S3 or disk. Invalid JSON is one error at the
 * root giving the line and column, never the text around it (it may hold a plain-string secret). A UTF-8
 * byte order mark, as some Windows editors write, is ignored.
 */
export function parseSubscriptionsFile(text: string, options: ParseSubscriptionsOptions = {}): ParseSubscriptionsResult {
  const parsed = parseJsonText(text);
  return 'error' in parsed ? { ok: false, errors: [parsed.error] } : parseSubscriptionsConfig(parsed.json, options);
}

/** The file's JSON, or the one error saying where it stops being JSON. */
export function parseJsonText(text: string): { json: unknown } | { error: ConfigError } {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { json: JSON.parse(source) };
  } catch {
    return { error: { path: '', message: `is not valid JSON${where(source)}` } };
  }
}

function where(text: string): string {
  if (text.trim() === '') return ' (the file is empty)';
  const offset = jsonErrorPosition(text);
  if (offset < 0) return '';
  const before = text.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
