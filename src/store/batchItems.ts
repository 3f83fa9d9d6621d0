import { setTimeout as delay } from 'node:timers/promises';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's limits per request. */
export const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;

/** How the batch helpers resend what DynamoDB left unprocessed. */
export interface BatchRetryOptions {
  /** Requests per chunk before giving up (unprocessed keys or items remain). @default 8 */
  maxRounds?: number;
  /** Pause before the first resend, doubled each round (at most 2 s). @default 50 */
  retryBaseMs?: number;
  /** The error thrown when rounds run out; the default says how much was left. */
  exhausted?: (left: number, rounds: number) => Error;
}

/** What a BatchGetItem of a table asks for besides the keys. */
export interface BatchGetOptions extends BatchRetryOptions {
  consistent?: boolean;
  projection?: { ProjectionExpression: string; ExpressionAttributeNames?: Record<string, string> };
}

/**
 * Every item of these keys that exists: BatchGetItem, 100 keys a request, the requests concurrently, unprocessed
 * keys sent again with backoff. All requests settle before a failure is thrown, so none is left running.
 */
export async function batchGetItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await settleAll(
    chunksOf(keys, BATCH_GET_KEYS).map((chunk) =>
      untilProcessed(chunk, options, async (pending) => {
        const answer = await documents.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent ?? false, ...options.projection } } }),
        );
        found.push(...(answer.Responses?.[tableName] ?? []));
        return (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
      }),
    ),
  );
  return found;
}

/**
 * Puts these items unconditionally: BatchWriteItem, 25 items a request, the requests concurrently, unprocessed
 * items sent again with backoff. Resolves once every item is written; all requests settle before a failure.
 */
export async function batchPutItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  options: BatchRetryOptions = {},
): Promise<void> {
  await settleAll(
    chunksOf(items, BATCH_WRITE_ITEMS).map((chunk) =>
      untilProcessed<Record<string, unknown>>(
        chunk.map((Item) => ({ PutRequest: { Item } })),
        options,
        async (pending) => {
          const answer = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          return (answer.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
        },
      ),
    ),
  );
}

/**
 * Deletes the items of these keys: BatchWriteItem, 25 keys a request, the requests concurrently, unprocessed keys
 * sent again with backoff. A key with no item is no error.
 */
export async function batchDeleteItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchRetryOptions = {},
): Promise<void> {
  await settleAll(
    chunksOf(keys, BATCH_WRITE_ITEMS).map((chunk) =>
      untilProcessed<Record<string, unknown>>(
        chunk.map((Key) => ({ DeleteRequest: { Key } })),
        options,
        async (pending) => {
          const answer = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          return (answer.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
        },
      ),
    ),
  );
}

/** Sends `pending` until nothing comes back unprocessed, pausing longer each round. */
async function untilProcessed<T>(pending: T[], options: BatchRetryOptions, send: (pending: T[]) => Promise<T[]>): Promise<void> {
  const maxRounds = options.maxRounds ?? 8;
  const baseMs = options.retryBaseMs ?? 50;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= maxRounds) {
      throw options.exhausted?.(pending.length, round) ?? new Error(`${pending.length} keys or items still unprocessed after ${round} rounds`);
    }
    if (round > 0) await delay(Math.min(baseMs * 2 ** (round - 1), 2_000) * (0.5 + Math.random() / 2));
    pending = await send(pending);
  }
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Like Promise.all, but waits for every promise before throwing the first failure. */
async function settleAll(work: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
