/**
 * The credentials document: the stage's Secrets Manager secret and the local producers file hold the same JSON.
 * Only hashes of tokens are kept (`sha256:<hex>`, see `hashToken`); names are the map keys.
 *
 * ```json
 * {
 *   "producers": {
 *     "shop": { "tokenHashes": ["sha256:…"], "sources": ["/shop"], "types": ["order.>"],
 *               "iamPrincipals": ["arn:aws:iam::123456789012:role/shop-publisher"] }
 *   },
 *   "readers": { "analytics": { "tokenHashes": ["sha256:…"], "types": ["order.>"] } }
 * }
 * ```
 */
export interface CredentialsDocument {
  producers: Record<string, ProducerEntry>;
  readers: Record<string, ReaderEntry>;
}

/** A producer: who it is (token hashes, IAM principals) and what it may publish. */
export interface ProducerEntry {
  /** Hashes of its bearer tokens; several during a rotation. */
  tokenHashes: string[];
  /**
   * `source` prefixes it may publish: `*` any; a prefix ending in `/` or `:` any source starting with it; any
   * other prefix the source itself or sources below it (`/shop` covers `/shop` and `/shop/orders`, not `/shopping`).
   */
  sources: string[];
  /** NATS-style `type` patterns it may publish (`order.>`, `order.*.created`, `>`). */
  types: string[];
  /**
   * IAM principal ARNs (with `*` wildcards) whose SigV4-signed `POST /iam/events` publish as this producer. A role
   * ARN (`arn:aws:iam::<account>:role/<name>`) also covers its sessions (`arn:aws:sts::<account>:assumed-role/<name>/*`).
   */
  iamPrincipals?: string[];
}

/** A reader: its token hashes and the `type` patterns it may read through `GET /events…`, feeds and `GET /types`. */
export interface ReaderEntry {
  tokenHashes: string[];
  types: string[];
}

/** Who made a request, once its credential checked out, and what it may do. */
export interface Principal {
  /** The producer's or reader's name; `default` for `SWITCHYARD_TOKEN`, `anonymous` on an open local bus. */
  name: string;
  /** What it may publish; absent: nothing (a reader). */
  publish?: { sources: readonly string[]; types: readonly string[] };
  /** What it may read; absent: nothing (a producer). */
  read?: { types: readonly string[] };
}

/** The rights of `SWITCHYARD_TOKEN` and of an open local bus: everything. */
export const ALL_RIGHTS = { publish: { sources: ['*'], types: ['>'] }, read: { types: ['>'] } } as const satisfies Omit<Principal, 'name'>;
