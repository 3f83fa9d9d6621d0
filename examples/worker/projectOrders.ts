/**
 * An example worker: projects order events into a DynamoDB table, one item per order.
 *
 *   npx switchyard worker --consumer order-projector --handler ./examples/worker/projectOrders.ts
 *
 * Every write is conditional on the event's stream position: the item remembers the (zero-padded) sequence
 * number of the last event applied to it, and a write only lands if its event comes later. So an event handled
 * a second time — after a crash between this write and the worker marking the event completed, or by a worker
 * that lost its lease — changes nothing, and the projection's effects are exactly once.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../src/wiring/awsClients';
import type { CloudEventJson } from '../../src/events/types';
import { padSequence } from '../../src/worker/sequence';
import type { HandlerContext } from '../../src/worker/types';

/** The projection table (partition key `orderId`). */
export const ORDERS_TABLE = process.env.ORDERS_TABLE || 'switchyard-example-orders';

const clients = createAwsClients(process.env);

/** What each order event sets on the order's item. */
const PROJECTIONS: Record<string, (event: CloudEventJson) => Record<string, unknown>> = {
  'com.example.orders.created': (event) => {
    const data = (event.data ?? {}) as { total?: number; currency?: string };
    return { status: 'created', createdAt: event.time, total: data.total, currency: data.currency };
  },
  'com.example.orders.paid': (event) => ({ status: 'paid', paidAt: event.time }),
  'com.example.orders.shipped': (event) => {
    const data = (event.data ?? {}) as { carrier?: string };
    return { status: 'shipped', shippedAt: event.time, carrier: data.carrier };
  },
};

/** Handles one event (the worker calls it in stream order, one at a time per shard). */
export async function handler(event: CloudEventJson, context: HandlerContext): Promise<void> {
  const project = PROJECTIONS[event.type];
  if (!project) return; // not an order event: nothing to do, and the worker marks it done
  const orderId = event.subject ?? (event.data as { orderId?: string } | undefined)?.orderId;
  if (!orderId) throw new Error(`order event ${event.id} has neither a subject nor data.orderId`);

  const fields = Object.entries(project(event)).filter(([, value]) => value !== undefined);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':sequence': padSequence(context.sequenceNumber), ':eventId': event.id, ':one': 1 };
  const sets = fields.map(([name, value], index) => {
    names[`#f${index}`] = name;
    values[`:f${index}`] = value;
    return `#f${index} = :f${index}`;
  });
  try {
    await clients.documents.send(
      new UpdateCommand({
        TableName: ORDERS_TABLE,
        Key: { orderId },
        UpdateExpression: `SET ${[...sets, 'lastSequence = :sequence', 'lastEventId = :eventId'].join(', ')} ADD eventsApplied :one`,
        // Later in the stream than anything applied to this order, or the first event of it.
        ConditionExpression: 'attribute_not_exists(lastSequence) OR lastSequence < :sequence',
        ...(sets.length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    // Applied before (a re-run of this event): the projection already holds it.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** Creates the projection table when it is missing (the local bus; in AWS, create it with CDK and drop this). */
export async function init(): Promise<void> {
  try {
    await clients.dynamodb.send(new DescribeTableCommand({ TableName: ORDERS_TABLE }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: ORDERS_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    }),
  ).catch((error: { name?: string }) => {
    if (error.name !== 'ResourceInUseException') throw error;
  });
  await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30 }, { TableName: ORDERS_TABLE });
}
