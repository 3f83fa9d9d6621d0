import { BY_TYPE_BUCKET_INDEX, EventStore } from '../../lib/EventStore';
import { KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_ACTIONS, TABLE_STORE_ACTIONS } from '../../lib/perms';
import { EVENT_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { pairs } from './helpers';
import { allowedAfterGrant, describeEncryptedTable } from './support/tableConstructCases';

describe('EventStore', () => {
  describeEncryptedTable(EventStore, {
    keys: { partitionKey: 'pk', indexes: { byTypeBucket: { partitionKey: 'tb', sortKey: 'timeKey', projection: 'KEYS_ONLY' } }, timeToLiveAttribute: 'ttl' },
    grantAll: (store, role) => {
      store.grantStore(role);
      store.grantRead(role);
      store.grant(role, 'dynamodb:Query');
    },
    protectsWhenRetained: true,
  });

  test("BY_TYPE_BUCKET_INDEX names the shared schema's only index, on tb (type#bucket) + timeKey, projecting only keys", () => {
    expect(EVENT_TABLE_SCHEMA.indexes).toEqual({ [BY_TYPE_BUCKET_INDEX]: { partitionKey: 'tb', sortKey: 'timeKey', projection: 'KEYS_ONLY' } });
  });

  test('grantStore allows batch reads and writes of items on the table (not its indexes) and the key actions', () => {
    const { stack, subject, allowed } = allowedAfterGrant(EventStore, (store, role) => store.grantStore(role));
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, TABLE_STORE_ACTIONS, [subject.table.tableArn]),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [subject.encryptionKey.keyArn]),
      ]),
    );
  });

  test('grantRead allows reads on the table and the byTypeBucket index by name, and Decrypt', () => {
    const { stack, subject, allowed } = allowedAfterGrant(EventStore, (store, role) => store.grantRead(role));
    const tableAndIndex = [subject.table.tableArn, `${subject.table.tableArn}/index/byTypeBucket`];
    expect(allowed).toEqual(
      new Set([...pairs(stack, TABLE_READ_ACTIONS, tableAndIndex), ...pairs(stack, KEY_DECRYPT_ACTIONS, [subject.encryptionKey.keyArn])]),
    );
  });

  test('grant gives the listed actions on the table and its indexes, and no key actions', () => {
    const { stack, subject, allowed } = allowedAfterGrant(EventStore, (store, role) => store.grant(role, 'dynamodb:Query'));
    expect(allowed).toEqual(new Set(pairs(stack, ['dynamodb:Query'], [subject.table.tableArn, `${subject.table.tableArn}/index/byTypeBucket`])));
  });
});
