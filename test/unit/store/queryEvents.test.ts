import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidQueryError } from '../../../src/store/errors';
import { MAX_QUERY_TYPES } from '../../../src/store/constants';
import { queryEvents } from '../../../src/store/queryEvents';

describe('queryEvents before it reads the index', () => {
  /** Nothing may reach DynamoDB in these cases. */
  const documents = { send: () => Promise.reject(new Error('no request expected')) } as unknown as DynamoDBDocumentClient;
  const load = () => Promise.reject(new Error('no load expected'));

  it(`refuses a pattern that matches more than ${MAX_QUERY_TYPES} types, naming types`, async () => {
    const many = Array.from({ length: MAX_QUERY_TYPES + 1 }, (_, i) => `order.t${i}`);
    const catalog = { types: async () => many, typesOf: async () => many };
    const error = await queryEvents({ types: 'order.*' }, { documents, tableName: 't', catalog, load }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect(error).toMatchObject({ field: 'types', message: `types match ${MAX_QUERY_TYPES + 1} event types, more than the ${MAX_QUERY_TYPES} one query reads: narrow the patterns` });
    // One fewer is read.
    await expect(queryEvents({ types: 'order.*' }, { documents, tableName: 't', catalog: { types: async () => many.slice(1), typesOf: async () => [] }, load })).rejects.toThrow('no request expected');
  });

  it('answers an empty page without a request when no type matches (for every source, or for this source)', async () => {
    const catalog = { types: async () => ['invoice.sent'], typesOf: async () => [] };
    await expect(queryEvents({ types: 'order.>' }, { documents, tableName: 't', catalog, load })).resolves.toEqual({ events: [] });
    await expect(queryEvents({ source: '/nobody' }, { documents, tableName: 't', catalog, load })).resolves.toEqual({ events: [] });
  });
});
