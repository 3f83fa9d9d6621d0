export * from './types';
export { processOrderedBatch } from './processOrderedBatch';
export { orderedWorkerHandler, idempotencyFromEnvironment, type OrderedWorkerLambdaHandler } from './orderedWorkerHandler';
