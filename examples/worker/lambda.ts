/**
 * The same projection as a Lambda worker: deploy it with `OrderedWorkerFunction` (see README.md here), which
 * feeds it the stream through an event source mapping and sets its consumer name and idempotency table.
 */
import { orderedWorkerHandler } from '../../src/worker/lambda';
import { handler as projectOrder } from './projectOrders';

export const handler = orderedWorkerHandler(projectOrder);
