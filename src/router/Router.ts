import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { describeError } from '../engine/DeliveryBase';
import { RecurringProblem } from '../engine/RecurringProblem';
import type { DeliverOptions, SubscriptionEngine } from '../engine/SubscriptionEngine';
import { ENGINE_METRIC, SILENT_LOG, type EngineLog, type EngineMetrics } from '../engine/types';
import type { EventStore, StoreOutcome } from '../store/EventStore';
import type { StreamedEvent } from '../stream/decodeKinesisRecord';
import { batchItemFailuresOf, decodeKinesisRecords } from '../stream/decodeKinesisRecords';

/**
 * Time a router invocation keeps free at its end (Lambda handler: the deadline is the remaining time less
 * this) for the ledger writes of deliveries that were not started and of attempts that failed: no delivery
 * starts unless its longest attempt ends before it.
 */
export const DEADLINE_MARGIN_MS = 30_000;

/** Options of {@link Router}. */
export interface RouterOptions {
  /** The event store: the batch is stored here first; its items are the dedupe records. */
  store: Pick<EventStore, 'storeBatch'>;
  /** Matching and delivery of what was new (`SubscriptionEngine`): subscriptions, limits, ledger. */
  delivery: Pick<SubscriptionEngine, 'deliverEvents'>;
  log?: EngineLog;
  metrics?: EngineMetrics;
}

/** What one batch came to, for tests and logs. */
export interface RouteSummary {
  /** Records decoded as CloudEvents. */
  events: number;
  /** Written to the store now. */
  stored: number;
  /** Already stored under their own sequence (a retried batch): delivered again. */
  again: number;
  /** Copies of an event stored under another sequence, or repeated in the batch: dropped. */
  duplicates: number;
  /** Not CloudEvents: passed over. */
  undecodable: number;
}

/**
 * The router: one Kinesis batch of one shard at a time, stored, then delivered.
 *
 * 1. Decode each record (a record that is not a CloudEvent is logged and passed over: retrying cannot help).
 * 2. Store the batch (`EventStore.storeBatch`): one consistent BatchGetItem per 100 keys finds what the store
 *    holds; a copy of an event held under another sequence is a duplicate and is dropped, and so is a later copy
 *    of the same source + id in the batch; the rest is written with BatchWriteItem, 25 per request.
 * 3. Only once every new event is stored, hand the new ones — and those already stored under their own
 *    sequence, i.e. this batch tried before — to delivery (`SubscriptionEngine.deliverEvents`): so a receiver
 *    can always read what it was sent (delivered ⇒ stored), and a duplicate is never delivered.
 *
 * If storing fails, nothing of the batch was delivered: every record is reported in `batchItemFailures` and
 * Kinesis sends the batch again; the events stored before the failure come back as `again` and are delivered
 * then, once. Records whose ledger write failed are reported as the engine reports them.
 */
export class Router {
  private readonly store: RouterOptions['store'];
  private readonly delivery: RouterOptions['delivery'];
  private readonly log: EngineLog;
  private readonly metrics?: EngineMetrics;
  private readonly storeProblem = new RecurringProblem();

  constructor(options: RouterOptions) {
    this.store = options.store;
    this.delivery = options.delivery;
    this.log = options.log ?? SILENT_LOG;
    this.metrics = options.metrics;
  }

  /** Handles one batch, in stream order; resolves with the records Kinesis must send again. */
  async routeBatch(records: readonly KinesisStreamRecord[], options: DeliverOptions = {}): Promise<KinesisStreamBatchResponse & { summary: RouteSummary }> {
    const events = decodeKinesisRecords(records, (error) => {
      this.log.error('record is not a CloudEvent; not stored, not delivered', { sequence: error.sequence, reason: error.message });
      this.count(ENGINE_METRIC.undecodableRecord);
    });
    const summary: RouteSummary = { events: events.length, stored: 0, again: 0, duplicates: 0, undecodable: records.length - events.length };
    const everything = () => ({ ...batchItemFailuresOf(records, 'all'), summary });
    if (events.length === 0) return { batchItemFailures: [], summary };

    let outcomes: StoreOutcome[];
    try {
      outcomes = await this.store.storeBatch(events.map(({ event, sequence, shard, arrivedAt }) => ({ event, position: { sequence, shard, arrivedAt } })));
      this.storeProblem.clear();
    } catch (error) {
      const text = describeError(error);
      if (this.storeProblem.shouldReport(text)) this.log.error('cannot store this batch; it will be retried, nothing of it was delivered', { records: records.length, error: text });
      this.count(ENGINE_METRIC.storeFailed);
      return everything();
    }

    const fresh: StreamedEvent[] = [];
    outcomes.forEach((outcome, index) => {
      summary[outcome === 'stored' ? 'stored' : outcome === 'again' ? 'again' : 'duplicates'] += 1;
      if (outcome === 'duplicate') {
        const { event, sequence } = events[index];
        this.log.info('duplicate dropped: the store holds this source + id under another sequence', { eventId: event.id, eventSource: event.source, sequence });
        this.count(ENGINE_METRIC.duplicateDropped);
      } else {
        fresh.push(events[index]);
      }
    });

    return { ...batchItemFailuresOf(records, await this.delivery.deliverEvents(fresh, options)), summary };
  }

  private count(name: string): void {
    this.metrics?.addMetric(name, 'Count', 1);
  }
}
