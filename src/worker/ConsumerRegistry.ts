import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { isConditionFailure } from '../store/errors';
import { ConsumerLimitError } from './errors';
import { queryPartition } from './workerTable';

/** Distinct consumers a stage registers unless it says otherwise (Chef Automate's `listener_limit`). */
export const DEFAULT_MAX_WORKER_CONSUMERS = 20;

/** The registry's one partition of the worker table (never a lease partition, which is `["lease", <consumer>]`). */
export const CONSUMERS_PK = JSON.stringify(['consumers']);

/** One registered consumer. */
export interface RegisteredConsumer {
  consumer: string;
  /** Its slot, `slot#<n>` (n from 0): at most `maxConsumers` slots are ever taken. */
  slot: string;
  /** Epoch ms of its first registration. */
  registeredAt: number;
  /** The worker that registered it. */
  registeredBy: string;
}

export interface ConsumerRegistryOptions {
  documents: DynamoDBDocumentClient;
  /** The worker table (WORKER_TABLE_SCHEMA). */
  tableName: string;
  /** Most distinct consumers registered at once, 1 to 1000. @default DEFAULT_MAX_WORKER_CONSUMERS (20) */
  maxConsumers?: number;
  /** @default Date.now */
  clock?: Clock;
}

const slotOf = (index: number) => `slot#${String(index).padStart(4, '0')}`;

/**
 * The stage's worker consumers (`ShardWorker`, worker functions), one item per consumer in one partition of the
 * worker table, read by a consistent Query of that partition (no scan). A consumer takes one of `maxConsumers`
 * numbered slots with a put conditional on the slot being free, so two new consumers starting at once can never
 * both take the last one; a consumer already registered passes whatever the limit. Registration lasts until
 * `unregister` (its checkpoints stay in the table too).
 */
export class ConsumerRegistry {
  private readonly maxConsumers: number;
  private readonly clock: Clock;

  constructor(private readonly options: ConsumerRegistryOptions) {
    this.maxConsumers = options.maxConsumers ?? DEFAULT_MAX_WORKER_CONSUMERS;
    if (!(Number.isInteger(this.maxConsumers) && this.maxConsumers >= 1 && this.maxConsumers <= 1000)) {
      throw new RangeError(`ConsumerRegistry: maxConsumers must be an integer from 1 to 1000, got ${String(options.maxConsumers)}`);
    }
    this.clock = options.clock ?? Date.now;
  }

  /** Every registered consumer, by slot. */
  async list(): Promise<RegisteredConsumer[]> {
    const consumers: RegisteredConsumer[] = [];
    for await (const page of queryPartition(this.options.documents, this.options.tableName, CONSUMERS_PK)) {
      consumers.push(...((page.Items ?? []) as Array<RegisteredConsumer & { sk: string }>).map(({ consumer, sk, registeredAt, registeredBy }) => ({ consumer, slot: sk, registeredAt, registeredBy })));
    }
    return consumers;
  }

  /**
   * Registers `consumer` unless it is already.
   * @throws ConsumerLimitError when `maxConsumers` other consumers hold every slot
   */
  async register(consumer: string, workerId: string): Promise<void> {
    let registered = await this.list();
    if (registered.some((entry) => entry.consumer === consumer)) return;
    const taken = new Set(registered.map((entry) => entry.slot));
    for (let index = 0; index < this.maxConsumers; index += 1) {
      const slot = slotOf(index);
      if (taken.has(slot)) continue;
      if (await this.claim(slot, consumer, workerId)) {
        await this.dropDuplicateSlots(consumer);
        return;
      }
    }
    // Every slot was taken, maybe by this consumer's other worker starting at the same time.
    registered = await this.list();
    if (registered.some((entry) => entry.consumer === consumer)) return;
    throw new ConsumerLimitError(consumer, this.maxConsumers, registered.map((entry) => entry.consumer));
  }

  /** Frees `consumer`'s slot; answers whether it was registered. Its leases and checkpoints are left as they are. */
  async unregister(consumer: string): Promise<boolean> {
    const slots = (await this.list()).filter((entry) => entry.consumer === consumer);
    for (const { slot } of slots) await this.deleteSlot(slot, consumer);
    return slots.length > 0;
  }

  private async claim(slot: string, consumer: string, workerId: string): Promise<boolean> {
    try {
      await this.options.documents.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { pk: CONSUMERS_PK, sk: slot, consumer, registeredAt: this.clock(), registeredBy: workerId },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Two workers of one new consumer may each have taken a slot: keep the lowest. Idempotent, so both may run it. */
  private async dropDuplicateSlots(consumer: string): Promise<void> {
    const slots = (await this.list()).filter((entry) => entry.consumer === consumer).map((entry) => entry.slot).sort();
    for (const slot of slots.slice(1)) await this.deleteSlot(slot, consumer);
  }

  private async deleteSlot(slot: string, consumer: string): Promise<void> {
    try {
      await this.options.documents.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { pk: CONSUMERS_PK, sk: slot },
          ConditionExpression: 'consumer = :consumer',
          ExpressionAttributeValues: { ':consumer': consumer },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
