import { CredentialsDocumentError } from './errors';
import { generateToken, hashToken } from './hashToken';
import { CREDENTIAL_NAME } from './parseCredentialsDocument';
import type { CredentialsDocument } from './types';

/** A new producer or reader, as `switchyard producers add` describes it. */
export interface NewCredential {
  name: string;
  /** A reader (read routes, `types` only) rather than a producer. */
  reader?: boolean;
  /** Source prefixes (producers only). */
  sources?: string[];
  types: string[];
  /** IAM principal ARN patterns (producers only). */
  iamPrincipals?: string[];
}

/**
 * Adds a producer or reader with a freshly generated token. Answers the new document and the token, which
 * exists nowhere else: the document keeps only its hash. A name already used (as producer or reader) is refused.
 */
export function addCredential(document: CredentialsDocument, entry: NewCredential): { document: CredentialsDocument; token: string } {
  if (!CREDENTIAL_NAME.test(entry.name)) {
    throw new CredentialsDocumentError('name', `${JSON.stringify(entry.name)} is not a valid name: letters, digits, ".", "_", "-", at most 64`);
  }
  if (document.producers[entry.name] || document.readers[entry.name]) {
    throw new CredentialsDocumentError('name', `${entry.name} exists already: revoke it first (switchyard producers revoke ${entry.name})`);
  }
  const token = generateToken();
  const tokenHashes = [hashToken(token)];
  const next: CredentialsDocument = entry.reader
    ? { ...document, readers: { ...document.readers, [entry.name]: { tokenHashes, types: entry.types } } }
    : {
        ...document,
        producers: {
          ...document.producers,
          [entry.name]: {
            tokenHashes,
            sources: entry.sources ?? [],
            types: entry.types,
            ...(entry.iamPrincipals?.length ? { iamPrincipals: entry.iamPrincipals } : {}),
          },
        },
      };
  return { document: next, token };
}

/** Removes a producer or reader by name (its tokens and IAM principals stop working); `undefined` when unknown. */
export function revokeCredential(document: CredentialsDocument, name: string): CredentialsDocument | undefined {
  if (!document.producers[name] && !document.readers[name]) return undefined;
  const producers = { ...document.producers };
  const readers = { ...document.readers };
  delete producers[name];
  delete readers[name];
  return { producers, readers };
}
