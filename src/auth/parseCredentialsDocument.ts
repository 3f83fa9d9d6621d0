import { validateSubjectPattern } from '../routing/validateSubjectPattern';
import { CredentialsDocumentError } from './errors';
import { isTokenHash } from './hashToken';
import type { CredentialsDocument, ProducerEntry, ReaderEntry } from './types';

/** Names of producers and readers: what the CLI accepts, and what logs and messages can print safely. */
export const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Checks and reads a credentials document (see `CredentialsDocument`). An error names the field path
 * (`producers.shop.types[1]`) and the rule, never a value that could be a credential.
 *
 * @param where what the text came from, for messages (`secret arn:…`, `/path/producers.json`)
 */
export function parseCredentialsDocument(text: string, where: string): CredentialsDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CredentialsDocumentError('(document)', `${where} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const fail = (field: string, problem: string) => new CredentialsDocumentError(field, `${where}: ${field} ${problem}`);
  if (!isObject(parsed)) throw fail('(document)', 'must be a JSON object {"producers": {…}, "readers": {…}}');
  for (const key of Object.keys(parsed)) {
    if (key !== 'producers' && key !== 'readers') throw fail(key, 'is not a field of the credentials document; use producers, readers');
  }
  const section = <T>(name: 'producers' | 'readers', entryOf: (value: unknown, field: string) => T): Record<string, T> => {
    const value = parsed[name] ?? {};
    if (!isObject(value)) throw fail(name, 'must be an object of name to entry');
    const entries: Record<string, T> = {};
    for (const [entryName, entry] of Object.entries(value)) {
      if (!CREDENTIAL_NAME.test(entryName)) throw fail(`${name}.${entryName}`, 'is not a valid name: letters, digits, ".", "_", "-", at most 64');
      entries[entryName] = entryOf(entry, `${name}.${entryName}`);
    }
    return entries;
  };

  const strings = (entry: Record<string, unknown>, field: string, key: string, check: (item: string) => string | undefined, optional = false) => {
    const value = entry[key];
    if (value === undefined && optional) return undefined;
    if (!Array.isArray(value)) throw fail(`${field}.${key}`, 'must be an array of strings');
    return value.map((item, index) => {
      const problem = typeof item === 'string' ? check(item) : 'must be a string';
      if (problem) throw fail(`${field}.${key}[${index}]`, problem);
      return item as string;
    });
  };
  const tokenHash = (item: string) => (isTokenHash(item) ? undefined : 'must be a token hash "sha256:<64 lower-case hex>" (switchyard producers add writes them)');
  const typePattern = (item: string) => {
    const problem = validateSubjectPattern(item);
    return problem ? `is not a type pattern: ${problem} (tokens split on ".", "*" one token, ">" the rest)` : undefined;
  };
  const sourcePrefix = (item: string) => (item.length === 0 ? 'must not be empty (use "*" for any source)' : undefined);
  const arnPattern = (item: string) => (/^arn:[^:]+:(iam|sts)::/.test(item) ? undefined : 'must be an IAM or STS ARN, e.g. arn:aws:iam::123456789012:role/shop');
  const known = (entry: Record<string, unknown>, field: string, keys: string[]) => {
    for (const key of Object.keys(entry)) if (!keys.includes(key)) throw fail(`${field}.${key}`, `is not a field of this entry; use ${keys.join(', ')}`);
  };

  const producers = section('producers', (value, field): ProducerEntry => {
    if (!isObject(value)) throw fail(field, 'must be an object {tokenHashes, sources, types, iamPrincipals?}');
    known(value, field, ['tokenHashes', 'sources', 'types', 'iamPrincipals']);
    const iamPrincipals = strings(value, field, 'iamPrincipals', arnPattern, true);
    return {
      tokenHashes: strings(value, field, 'tokenHashes', tokenHash)!,
      sources: strings(value, field, 'sources', sourcePrefix)!,
      types: strings(value, field, 'types', typePattern)!,
      ...(iamPrincipals ? { iamPrincipals } : {}),
    };
  });
  const readers = section('readers', (value, field): ReaderEntry => {
    if (!isObject(value)) throw fail(field, 'must be an object {tokenHashes, types}');
    known(value, field, ['tokenHashes', 'types']);
    return { tokenHashes: strings(value, field, 'tokenHashes', tokenHash)!, types: strings(value, field, 'types', typePattern)! };
  });
  return { producers, readers };
}

/** An empty document: no producer, no reader (what a new stage's secret holds). */
export function emptyCredentialsDocument(): CredentialsDocument {
  return { producers: {}, readers: {} };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
