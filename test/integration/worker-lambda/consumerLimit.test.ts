import type { KinesisStreamEvent } from 'aws-lambda';
import { ConsumerLimitError, ConsumerRegistry } from '../../../src/worker';
import { orderedWorkerHandler } from '../../../src/worker/lambda';
import { ENV } from '../../../src/wiring/environment';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

/**
 * The consumer limit for worker functions: a handler whose OrderedWorkerFunction has the stage's worker table
 * (`WORKER_TABLE_NAME`, `MAX_WORKER_CONSUMERS`) registers its consumer on first invocation (dynalite) and is
 * refused beyond the limit — every invocation fails, nothing is handled — until a slot frees.
 */
let bus: TestEmulators;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  bus = await startTestEmulators({ shards: 1 });
});
afterAll(() => bus.close());

const empty: KinesisStreamEvent = { Records: [] };
const envOf = (consumer: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...bus.env,
  [ENV.workerConsumerName]: consumer,
  [ENV.maxWorkerConsumers]: '1',
  AWS_LAMBDA_FUNCTION_NAME: `fn-${consumer}`,
  ...extra,
});

test('registers its consumer at first invocation, refuses a new one beyond MAX_WORKER_CONSUMERS, and passes once a slot is free', async () => {
  const registry = new ConsumerRegistry({ documents: bus.clients.documents, tableName: bus.names.workerTable, maxConsumers: 1 });
  const handled: string[] = [];
  const first = orderedWorkerHandler(async (event) => void handled.push(event.id), { env: envOf('projection') });
  await expect(first(empty)).resolves.toEqual({ batchItemFailures: [] });
  expect(await registry.list()).toEqual([expect.objectContaining({ consumer: 'projection', registeredBy: 'lambda:fn-projection' })]);

  const second = orderedWorkerHandler(async (event) => void handled.push(event.id), { env: envOf('audit') });
  const refusal = await second(empty).then(() => undefined, (error: unknown) => error);
  expect(refusal).toBeInstanceOf(ConsumerLimitError);
  expect((refusal as Error).message).toMatch(/^consumer "audit" refused: the stage allows at most 1 worker consumers \(maxWorkerConsumers\), and 1 are registered \("projection"\)/);
  // Refused again on the next invocation: the refusal is not remembered as a success.
  await expect(second(empty)).rejects.toBeInstanceOf(ConsumerLimitError);

  await registry.unregister('projection');
  await expect(second(empty)).resolves.toEqual({ batchItemFailures: [] });
  expect((await registry.list()).map((entry) => entry.consumer)).toEqual(['audit']);
});

test('without WORKER_TABLE_NAME a worker function registers nothing and is not limited', async () => {
  const unlimited = orderedWorkerHandler(async () => undefined, { env: envOf('no-registry', { [ENV.workerTableName]: undefined }) });
  await expect(unlimited(empty)).resolves.toEqual({ batchItemFailures: [] });
  const registry = new ConsumerRegistry({ documents: bus.clients.documents, tableName: bus.names.workerTable });
  expect((await registry.list()).map((entry) => entry.consumer)).not.toContain('no-registry');
});
