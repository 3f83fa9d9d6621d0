import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SubscriptionsConfig } from '../subscriptionTypes';
import { DEFAULT_REFRESH_INTERVAL_SECONDS } from './constants';
import { InvalidSubscriptionsError, SubscriptionsConfigError, SubscriptionsUnavailableError } from './errors';
import { loadSubscriptionsFile, type LoadSubscriptionsResult } from './loadSubscriptionsFile';
import type { ResolveSecretRef } from './resolveSubscriptionSecrets';
import type { ConfigError } from './types';

/** Options of {@link SubscriptionsSource}. */
export interface SubscriptionsSourceOptions {
  /** Client of the bucket (the local bus passes one bound to its S3 emulator). */
  s3: S3Client;
  bucket: string;
  /** Object key of the file, e.g. `subscriptions.json`. */
  key: string;
  /** Seconds between checks for a new version; `current()` within this interval answers from memory. @default 10 */
  refreshIntervalSeconds?: number;
  /** Subscriptions allowed in the file. @default 1000 */
  maxSubscriptions?: number;
  /** Environment of the PageUp format's default webhook secret. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Resolves the file's secret references when a version is loaded, so one whose secret is missing or
   * malformed is refused then, not dead-lettered at delivery. @default none: plain-string secrets only
   */
  resolveSecret?: ResolveSecretRef;
  /** Refuse plain `http:` targets, as delivery does in AWS mode. @default false */
  requireHttps?: boolean;
  /** Allow literal loopback and private target addresses (the local bus). @default true */
  allowPrivateNetworks?: boolean;
  /** Hosts webhook and token URLs may name (`ALLOWED_TARGET_HOSTS`). @default - any host */
  allowedHosts?: readonly string[];
  /**
   * When the latest version is invalid and none was served yet (a cold start), look back through this
   * many older versions of the object (the bucket is versioned) for the newest valid one. @default 20
   */
  fallbackVersions?: number;
  /**
   * A new version was refused; the last valid one keeps serving. Called once per refused version (the
   * engine logs the errors and emits a metric).
   */
  onInvalid?: (errors: readonly ConfigError[], etag: string | undefined) => void;
  /** A new valid version is being served, the first one included (the engine recompiles its matcher). */
  onChange?: (config: SubscriptionsConfig, etag: string | undefined) => void;
  /** The file could not be read (S3 error, object gone) while a valid version keeps serving. */
  onError?: (error: SubscriptionsConfigError) => void;
  /** A cold start serves an older version because the latest is invalid (`onInvalid` has its errors). */
  onFallback?: (versionId: string, etag: string | undefined) => void;
  /** Clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

/** What one check of S3 found. */
type Fetched =
  | { kind: 'unchanged' }
  | { kind: 'missing'; error: SubscriptionsUnavailableError }
  | { kind: 'body'; text: string; etag: string | undefined }
  | { kind: 'failed'; error: SubscriptionsUnavailableError };

/** What the engine serves before any subscriptions.json was uploaded: no subscriptions, not an error. */
const NO_SUBSCRIPTIONS: SubscriptionsConfig = { subscriptions: [] };

/**
 * subscriptions.json as the engine sees it: loaded from S3, re-checked at most every
 * `refreshIntervalSeconds` with a conditional GET on the last ETag (an unchanged file is neither downloaded
 * nor parsed), validated (secrets resolved and checked when `resolveSecret` is given), and kept. A new
 * version that is invalid is refused (`onInvalid`) and the last valid one keeps serving. No object yet means
 * no subscriptions. On a cold start whose latest version is invalid, the newest valid older version serves.
 * `current()` throws only while S3 cannot be read and nothing was ever served.
 */
export class SubscriptionsSource {
  private readonly options: SubscriptionsSourceOptions;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private config?: SubscriptionsConfig;
  private configEtag?: string;
  /** ETag and content hash of the last version downloaded, valid or not: it is not parsed again. */
  private seenEtag?: string;
  private seenHash?: string;
  /** Content hash of the version being served. */
  private servedHash?: string;
  /** Why there is no config to serve (only meaningful while `config` is undefined). */
  private failure?: SubscriptionsConfigError;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing?: Promise<void>;

  constructor(options: SubscriptionsSourceOptions) {
    this.options = options;
    this.intervalMs = (options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The config to route with. Checks S3 first when the interval has passed. Throws an
   * `InvalidSubscriptionsError` (with every error) or a `SubscriptionsUnavailableError` while no valid
   * version was ever loaded.
   */
  async current(): Promise<SubscriptionsConfig> {
    if (this.now() - this.checkedAt >= this.intervalMs) await this.refresh();
    if (this.config !== undefined) return this.config;
    throw this.failure ?? new SubscriptionsUnavailableError(this.options.bucket, this.options.key, 'not loaded yet');
  }

  /** Checks S3 now, whatever the interval; concurrent calls share one request. */
  refresh(): Promise<void> {
    this.refreshing ??= this.check().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** ETag of the version being served, if any. */
  get etag(): string | undefined {
    return this.configEtag;
  }

  /** ETag of the last version read from S3, whether it was served or refused. */
  get seenVersion(): string | undefined {
    return this.seenEtag;
  }

  private async check(): Promise<void> {
    const fetched = await this.fetch();
    // A read failure with nothing to serve is retried on the next call instead of after the interval:
    // there is nothing better to do, and refresh() keeps it to one request at a time.
    if (!(fetched.kind === 'failed' && this.config === undefined)) this.checkedAt = this.now();
    if (fetched.kind === 'unchanged') return;
    if (fetched.kind === 'missing') {
      // Nothing uploaded yet (or deleted): no subscriptions. A file that was served and then deleted keeps
      // serving, as a read failure would: deleting the file is not how to stop deliveries.
      if (this.config === undefined) {
        this.config = NO_SUBSCRIPTIONS;
        this.options.onChange?.(NO_SUBSCRIPTIONS, undefined);
      } else if (this.configEtag !== undefined) {
        this.options.onError?.(fetched.error);
      }
      return;
    }
    if (fetched.kind === 'failed') {
      if (this.config === undefined) this.failure = fetched.error;
      else this.options.onError?.(fetched.error);
      return;
    }
    const hash = createHash('sha256').update(fetched.text).digest('hex');
    const sameContent = hash === this.seenHash;
    this.seenEtag = fetched.etag;
    this.seenHash = hash;
    // Same bytes under a new ETag (a re-upload; SSE-KMS ETags are not content hashes): nothing changed.
    if (sameContent) {
      if (this.config !== undefined && hash === this.servedHash) this.configEtag = fetched.etag;
      return;
    }
    const result = await this.parse(fetched.text);
    if (!result.ok) {
      this.options.onInvalid?.(result.errors, fetched.etag);
      const servingSomething = this.config !== undefined && this.configEtag !== undefined;
      if (!servingSomething && (await this.fallBack(fetched.etag))) return;
      if (this.config === undefined) this.failure = new InvalidSubscriptionsError(result.errors, fetched.etag);
      return;
    }
    this.config = result.config;
    this.configEtag = fetched.etag;
    this.servedHash = hash;
    this.failure = undefined;
    this.options.onChange?.(result.config, fetched.etag);
  }

  private async parse(text: string): Promise<LoadSubscriptionsResult> {
    const { maxSubscriptions, env, resolveSecret, requireHttps, allowPrivateNetworks, allowedHosts } = this.options;
    try {
      return await loadSubscriptionsFile(text, { maxSubscriptions, env, resolveSecret, requireHttps, allowPrivateNetworks, allowedHosts });
    } catch (error) {
      // loadSubscriptionsFile does not throw on any input; should a bug make it, the file is refused, not the engine.
      return { ok: false as const, errors: [{ path: '', message: `could not be checked: ${(error as Error).message}` }] };
    }
  }

  /**
   * A cold start found the latest version invalid: serve the newest valid one of the older versions (the
   * bucket is versioned), so an engine that restarts after a bad upload keeps routing as before it. True when
   * one was found. Without versions (or the right to list them) there is nothing to fall back on.
   */
  private async fallBack(latestEtag: string | undefined): Promise<boolean> {
    const { s3, bucket, key } = this.options;
    const limit = this.options.fallbackVersions ?? 20;
    if (limit <= 0) return false;
    let versions;
    try {
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: limit + 1 }));
      versions = (listed.Versions ?? [])
        .filter((version) => version.Key === key && version.VersionId !== undefined && version.VersionId !== 'null' && version.ETag !== latestEtag)
        .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))
        .slice(0, limit);
    } catch {
      return false;
    }
    for (const version of versions) {
      let text: string;
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version.VersionId }));
        if (response.Body === undefined) continue;
        text = await response.Body.transformToString('utf-8');
      } catch {
        continue;
      }
      const result = await this.parse(text);
      if (!result.ok) continue;
      this.config = result.config;
      this.configEtag = version.ETag;
      this.servedHash = createHash('sha256').update(text).digest('hex');
      this.failure = undefined;
      this.options.onFallback?.(version.VersionId as string, version.ETag);
      this.options.onChange?.(result.config, version.ETag);
      return true;
    }
    return false;
  }

  private async fetch(): Promise<Fetched> {
    const { s3, bucket, key } = this.options;
    try {
      const response = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(this.seenEtag !== undefined ? { IfNoneMatch: this.seenEtag } : {}) }),
      );
      if (response.Body === undefined) throw new Error('the response has no body');
      return { kind: 'body', text: await response.Body.transformToString('utf-8'), etag: response.ETag };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = error instanceof Error ? error.name : 'unknown error';
      if (status === 304 || name === 'NotModified') return { kind: 'unchanged' };
      if (name === 'NoSuchKey' || status === 404) {
        return { kind: 'missing', error: new SubscriptionsUnavailableError(bucket, key, 'the object does not exist', { cause: error }) };
      }
      return { kind: 'failed', error: new SubscriptionsUnavailableError(bucket, key, `S3 GetObject failed (${name})`, { cause: error }) };
    }
  }
}
