import { KinesisConsumerEventSource, KinesisEventSource, type KinesisEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { EventStream } from './EventStream';

/** How a function reads the stream: polling shared reads (the default), or its own enhanced fan-out consumer. */
export interface StreamEventSourceOptions extends KinesisEventSourceProps {
  /**
   * Read through an enhanced fan-out consumer named `consumerName` (stage setting `lowLatency`): records are pushed
   * as they arrive instead of polled once a second per shard; the consumer costs a consumer-shard hour.
   */
  readonly lowLatency?: { readonly consumerName: string };
}

/**
 * The event source mapping's source for `options`: the stream itself, or an enhanced fan-out consumer made on it
 * (the event source then grants the consumer's read actions, DescribeStreamConsumer and SubscribeToShard on it).
 */
export function streamEventSource(eventStream: EventStream, id: string, options: StreamEventSourceOptions): KinesisEventSource | KinesisConsumerEventSource {
  const { lowLatency, ...props } = options;
  if (lowLatency === undefined) return new KinesisEventSource(eventStream.stream, props);
  return new KinesisConsumerEventSource(eventStream.addEnhancedFanOutConsumer(id, lowLatency.consumerName), props);
}
