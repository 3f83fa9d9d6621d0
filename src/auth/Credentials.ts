import { timingSafeEqual } from 'node:crypto';
import type { CredentialsDocumentSource } from './CredentialsDocumentSource';
import { UnauthorizedError } from './errors';
import { hashBytes, hashToken } from './hashToken';
import { matchesPrincipalArn } from './matchesPrincipalArn';
import { ALL_RIGHTS, type CredentialsDocument, type Principal } from './types';

/** What identifies a request's caller: its `Authorization` header, or the IAM principal API Gateway verified. */
export interface CallerIdentity {
  /** The `Authorization` header (`Bearer <token>`). */
  authorization?: string;
  /**
   * The SigV4 caller's principal ARN, set only by the API Gateway adapter for routes behind its IAM authorizer
   * (`POST /iam/events`), never from a header. When present, the bearer token is not looked at.
   */
  iamPrincipalArn?: string;
}

export interface CredentialsOptions {
  /** One token with every right (`SWITCHYARD_TOKEN`, the local bus). @default none */
  token?: string;
  /** Where the producers and readers are (the stage's secret, the local producers file). @default none */
  document?: CredentialsDocumentSource;
}

/** Hashes decoded once per document, for constant-time comparison. */
interface Known {
  name: string;
  hash: Buffer;
  principal: Omit<Principal, 'name'>;
}

/**
 * Who a request comes from and what it may do. With neither a token nor a document, everyone may do everything
 * (the open local bus). Bearer tokens are compared as SHA-256 digests with `timingSafeEqual`, every known one
 * each time, so neither timing nor the match position leaks a token; only hashes are ever held.
 */
export class Credentials {
  private readonly staticHash?: Buffer;
  private indexed?: { document: CredentialsDocument; known: Known[] };

  constructor(private readonly options: CredentialsOptions = {}) {
    if (options.token !== undefined) this.staticHash = hashBytes(hashToken(options.token));
  }

  /** The caller's principal, or an UnauthorizedError (a 401) for missing or wrong credentials. */
  async authenticate(caller: CallerIdentity): Promise<Principal> {
    const document = await this.options.document?.load();
    if (this.staticHash === undefined && document === undefined) return { name: 'anonymous', ...ALL_RIGHTS };
    if (caller.iamPrincipalArn !== undefined) return this.byIamPrincipal(caller.iamPrincipalArn, document);

    const match = /^Bearer\s+(\S+)\s*$/i.exec(caller.authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token: send Authorization: Bearer <token>');
    const presented = hashBytes(hashToken(match[1]));
    let found: Principal | undefined;
    if (this.staticHash && timingSafeEqual(presented, this.staticHash)) found = { name: 'default', ...ALL_RIGHTS };
    for (const known of document ? this.index(document) : []) {
      if (timingSafeEqual(presented, known.hash) && found === undefined) found = { name: known.name, ...known.principal };
    }
    if (!found) throw new UnauthorizedError('invalid bearer token');
    return found;
  }

  private byIamPrincipal(arn: string, document: CredentialsDocument | undefined): Principal {
    // Names in order, so overlapping patterns always pick the same producer.
    for (const [name, producer] of Object.entries(document?.producers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      if ((producer.iamPrincipals ?? []).some((pattern) => matchesPrincipalArn(pattern, arn))) {
        return { name, publish: { sources: producer.sources, types: producer.types } };
      }
    }
    throw new UnauthorizedError(`IAM principal ${arn} is not a producer: add it to a producer's iamPrincipals`);
  }

  private index(document: CredentialsDocument): Known[] {
    if (this.indexed?.document === document) return this.indexed.known;
    const known: Known[] = [];
    for (const [name, producer] of Object.entries(document.producers)) {
      for (const hash of producer.tokenHashes) known.push({ name, hash: hashBytes(hash), principal: { publish: { sources: producer.sources, types: producer.types } } });
    }
    for (const [name, reader] of Object.entries(document.readers)) {
      for (const hash of reader.tokenHashes) known.push({ name, hash: hashBytes(hash), principal: { read: { types: reader.types } } });
    }
    this.indexed = { document, known };
    return known;
  }
}
