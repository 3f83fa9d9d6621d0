import { IdempotencyTable } from '../../lib/IdempotencyTable';
import { allowedAfterGrant, describeEncryptedTable, itemReadWritePairs } from './support/tableConstructCases';

describe('IdempotencyTable', () => {
  describeEncryptedTable(IdempotencyTable, {
    keys: { partitionKey: 'pk', indexes: {}, timeToLiveAttribute: 'expiresAt' },
    grantAll: (idem, role) => idem.grantReadWrite(role),
    protectsWhenRetained: false,
  });

  test('grantReadWrite allows item reads and writes (no Scan) on the table, and the key actions', () => {
    const { stack, subject, allowed } = allowedAfterGrant(IdempotencyTable, (idem, role) => idem.grantReadWrite(role));
    expect(allowed).toEqual(new Set(itemReadWritePairs(stack, subject)));
  });
});
