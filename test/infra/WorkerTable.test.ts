import { WorkerTable } from '../../lib/WorkerTable';
import { allowedAfterGrant, describeEncryptedTable, itemReadWritePairs } from './support/tableConstructCases';

describe('WorkerTable', () => {
  describeEncryptedTable(WorkerTable, {
    keys: { partitionKey: 'pk', sortKey: 'sk', indexes: {} },
    grantAll: (workers, role) => workers.grantWorker(role),
    protectsWhenRetained: true,
  });

  test('grantWorker allows item reads, writes and queries on the table (no Scan), and the key actions', () => {
    const { stack, subject, allowed } = allowedAfterGrant(WorkerTable, (workers, role) => workers.grantWorker(role));
    expect(allowed).toEqual(new Set(itemReadWritePairs(stack, subject)));
  });
});
