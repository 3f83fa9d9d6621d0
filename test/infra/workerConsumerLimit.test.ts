import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventStream } from '../../lib/EventStream';
import { IdempotencyTable } from '../../lib/IdempotencyTable';
import { OrderedWorkerFunction } from '../../lib/OrderedWorkerFunction';
import { KEY_ENCRYPT_DECRYPT_ACTIONS } from '../../lib/perms';
import { WorkerTable } from '../../lib/WorkerTable';
import { ENV } from '../../src/wiring/environment';
import { allowedPairs, nagFindings, pairs, testStack } from './helpers';

/**
 * A worker function given the stage's worker table registers its consumer there (the consumer limit): the table's
 * name and the limit reach it, and it may Query, PutItem and DeleteItem on that table only (no Scan, no UpdateItem).
 */
function build(withTable: boolean) {
  const stack: Stack = testStack();
  stack.node.setContext('aws:cdk:bundling-stacks', []);
  const workerTable = new WorkerTable(stack, 'Workers');
  const worker = new OrderedWorkerFunction(stack, 'Projector', {
    entry: 'test/infra/fixtures/handler.ts',
    consumer: 'order-projector',
    eventStream: new EventStream(stack, 'Stream'),
    idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
    ...(withTable ? { workerTable, maxConsumers: 7 } : {}),
  });
  const template = Template.fromStack(stack);
  const fn = template.toJSON().Resources[stack.getLogicalId(worker.worker.function.node.defaultChild as never)].Properties;
  return { stack, workerTable, worker, template, environment: fn.Environment.Variables as Record<string, unknown> };
}

describe('OrderedWorkerFunction with the worker table (consumer limit)', () => {
  test('gets WORKER_TABLE_NAME and MAX_WORKER_CONSUMERS, and exactly the registry actions on that table and its key', () => {
    const { stack, workerTable, worker, template, environment } = build(true);
    expect(environment).toMatchObject({ [ENV.workerTableName]: stack.resolve(workerTable.tableName), [ENV.maxWorkerConsumers]: '7' });
    const allowed = allowedPairs(template, stack, worker.worker.function.role!);
    const expected = [
      ...pairs(stack, ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], [workerTable.table.tableArn]),
      ...pairs(stack, [...KEY_ENCRYPT_DECRYPT_ACTIONS], [workerTable.encryptionKey.keyArn]),
    ];
    for (const entry of expected) expect(allowed).toContain(entry);
    const onTable = [...allowed].filter((entry) => entry.includes(JSON.stringify(stack.resolve(workerTable.table.tableArn))));
    expect(onTable.sort()).toEqual(pairs(stack, ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], [workerTable.table.tableArn]).sort());
    expect(nagFindings(stack)).toEqual([]);
  });

  test('without it: no registry, no access to the worker table', () => {
    const { stack, workerTable, worker, template, environment } = build(false);
    expect(environment).not.toHaveProperty(ENV.workerTableName);
    expect(environment).not.toHaveProperty(ENV.maxWorkerConsumers);
    const allowed = [...allowedPairs(template, stack, worker.worker.function.role!)];
    expect(allowed.filter((entry) => entry.includes(JSON.stringify(stack.resolve(workerTable.table.tableArn))))).toEqual([]);
  });
});
