import { DeliveryLedgerTable, DUE_INDEX } from '../../lib/DeliveryLedgerTable';
import { DELIVERY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { pair } from './helpers';
import { allowedAfterGrant, describeEncryptedTable, itemReadWritePairs } from './support/tableConstructCases';

describe('DeliveryLedgerTable', () => {
  describeEncryptedTable(DeliveryLedgerTable, {
    keys: { partitionKey: 'pk', sortKey: 'sk', indexes: { due: { partitionKey: 'dueBucket', sortKey: 'dueAt' } }, timeToLiveAttribute: 'expiresAt' },
    grantAll: (ledger, role) => ledger.grantReadWrite(role),
    protectsWhenRetained: true,
  });

  test("DUE_INDEX names the shared schema's sparse index on dueBucket + dueAt", () => {
    expect(DELIVERY_TABLE_SCHEMA.indexes[DUE_INDEX]).toEqual({ partitionKey: 'dueBucket', sortKey: 'dueAt' });
  });

  test('grantReadWrite allows item reads, writes and queries on the table, Query on the due index, the key actions — no Scan', () => {
    const { stack, subject, allowed } = allowedAfterGrant(DeliveryLedgerTable, (ledger, role) => ledger.grantReadWrite(role));
    const dueQuery = pair(stack, 'dynamodb:Query', `${subject.table.tableArn}/index/due`);
    expect(allowed).toEqual(new Set([...itemReadWritePairs(stack, subject), dueQuery]));
    expect([...allowed].some((p) => p.startsWith('dynamodb:Scan'))).toBe(false);
    expect([...allowed].filter((p) => p.includes('/index/'))).toEqual([dueQuery]);
  });
});
