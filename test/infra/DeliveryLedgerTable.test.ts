import { DeliveryLedgerTable, DUE_INDEX } from '../../lib/DeliveryLedgerTable';
import { DELIVERY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, LEDGER_ACTIONS } from '../../lib/perms';
import { pair, pairs } from './helpers';
import { allowedAfterGrant, describeEncryptedTable } from './support/tableConstructCases';

describe('DeliveryLedgerTable', () => {
  describeEncryptedTable(DeliveryLedgerTable, {
    keys: { partitionKey: 'pk', sortKey: 'sk', indexes: { due: { partitionKey: 'dueBucket', sortKey: 'dueAt' } }, timeToLiveAttribute: 'expiresAt' },
    grantAll: (ledger, role) => ledger.grantReadWrite(role),
    protectsWhenRetained: true,
  });

  test("DUE_INDEX names the shared schema's sparse index on dueBucket + dueAt", () => {
    expect(DELIVERY_TABLE_SCHEMA.indexes[DUE_INDEX]).toEqual({ partitionKey: 'dueBucket', sortKey: 'dueAt' });
  });

  test('grantReadWrite allows item reads, writes and queries on the table, Query on the due index, the key actions — no Scan, no batches', () => {
    const { stack, subject, allowed } = allowedAfterGrant(DeliveryLedgerTable, (ledger, role) => ledger.grantReadWrite(role));
    const dueQuery = pair(stack, 'dynamodb:Query', `${subject.table.tableArn}/index/due`);
    expect(allowed).toEqual(
      new Set([...pairs(stack, LEDGER_ACTIONS, [subject.table.tableArn]), ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [subject.encryptionKey.keyArn]), dueQuery]),
    );
    expect([...allowed].some((p) => p.startsWith('dynamodb:Batch'))).toBe(false);
    expect([...allowed].some((p) => p.startsWith('dynamodb:Scan'))).toBe(false);
    expect([...allowed].filter((p) => p.includes('/index/'))).toEqual([dueQuery]);
  });
});
