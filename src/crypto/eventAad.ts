const LABEL = 'switchyard/event-data/v1';

/**
 * The additional authenticated data of an event's sealed data: the JSON array `[label, source, id]`.
 * JSON quoting makes it unambiguous (`a/b`+`c` and `a`+`b/c` differ) and, since lone surrogates are
 * escaped, lossless for any JS string, which a plain UTF-8 encoding is not. Sealed data moved to another
 * event's item fails to open.
 */
export function eventAad(source: string, id: string): Buffer {
  return Buffer.from(JSON.stringify([LABEL, source, id]), 'utf8');
}
