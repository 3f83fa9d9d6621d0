import { randomBytes, randomUUID } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { createAwsClients, type AwsClients } from '../../../src/wiring/awsClients';
import { createEventKeys, DecryptionError, DecryptionFailure } from '../../../src/crypto';
import type { CloudEventJson } from '../../../src/events/types';
import { DYNAMODB_MAX_ITEM_BYTES, DynamoDbEventStore, EVENT_TABLE_SCHEMA, itemBytes, itemKey, MAX_STORABLE_EVENT_BYTES } from '../../../src/store';
import { maxEventBytes } from '../../../src/wiring/ingestFromEnvironment';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { startLocalKms, type LocalKms } from '../../../local/kms/startLocalKms';
import { ensureTable } from '../../../local/provision';

const TABLE = 'events-test';

describe('DynamoDbEventStore on dynalite and the local KMS', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let store: DynamoDbEventStore;
  let sequence = 0;

  const position = (extra: { arrivedAt?: string } = {}) => ({
    sequence: String(49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(++sequence)),
    shard: 'shardId-000000000000',
    ...extra,
  });

  function cloudEvent(overrides: Partial<CloudEventJson> = {}): CloudEventJson {
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: '/shop/orders',
      type: 'com.example.orders.created',
      time: '2024-05-01T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: { orderId: 42, total: 199.5, customer: { email: 'ada@example.com' } },
      ...overrides,
    };
  }

  beforeAll(async () => {
    emulators = await startEmulators();
    clients = createAwsClients({ ...process.env, ...emulators.env });
    await ensureTable(clients.dynamodb, TABLE, EVENT_TABLE_SCHEMA);
    store = new DynamoDbEventStore({
      documents: clients.documents,
      tableName: TABLE,
      keys: createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId }),
    });
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.kms.destroy();
    await emulators?.close();
  });

  async function rawItem(source: string, id: string) {
    const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: itemKey(source, id) } }, ConsistentRead: true }));
    return Item!;
  }

  it('archives an event and gets it back decrypted, with its position', async () => {
    const event = cloudEvent({ subject: 'order-42', partitionkey: 'customer-7', traceparent: '00-abc-def-01' });
    expect(await store.archive(event, { ...position(), arrivedAt: '2024-05-01T10:00:01.000Z' })).toBe('stored');
    const stored = await store.get(event.source, event.id);
    expect(stored).toMatchObject({
      event,
      shard: 'shardId-000000000000',
      arrivedAt: '2024-05-01T10:00:01.000Z',
    });
    expect(stored!.sequence).toMatch(/^\d+$/);
    expect(Date.parse(stored!.storedAt)).not.toBeNaN();
  });

  it.each([
    ['string data', { data: 'plain text, not JSON', datacontenttype: 'text/plain' }],
    ['null data', { data: null }],
    ['array data', { data: [1, 'two', { three: 3 }] }],
    ['data_base64', { data: undefined, data_base64: 'AAECAwT/', datacontenttype: 'application/octet-stream' }],
    ['empty data_base64', { data: undefined, data_base64: '' }],
    ['empty string data', { data: '' }],
    ['no data', { data: undefined, datacontenttype: undefined }],
  ])('round-trips %s exactly', async (_, overrides) => {
    const event = cloudEvent(overrides as Partial<CloudEventJson>);
    await store.archive(event, position());
    const { event: back } = (await store.get(event.source, event.id))!;
    expect(back).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('keeps data sealed in the item and the attributes in clear, the data key wrapped once in its own item', async () => {
    const event = cloudEvent();
    await store.archive(event, position());
    const item = await rawItem(event.source, event.id);
    expect(JSON.stringify(item)).not.toContain('ada@example.com');
    expect(item.tb.S).toMatch(/^com\.example\.orders\.created#[0-3]$/);
    expect(item.type).toBeUndefined();
    // Source and id are the key itself; the sequence is the tail of the sort key.
    expect(JSON.parse(item.pk.S!)).toEqual([event.source, event.id]);
    expect(item.source).toBeUndefined();
    // The sort key is the arrival (here none was given: the storage time), not the producer's `time`.
    expect(item.timeKey.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#\d+$/);
    expect(item.timeKey.S!.startsWith('2024-05-01')).toBe(false);
    const sealed = item.d.M!;
    expect(sealed.iv.B).toHaveLength(12);
    expect(sealed.t.B).toHaveLength(16);
    expect(sealed.c.B!.length).toBeGreaterThan(0);
    expect(sealed.b).toBeUndefined();
    const { Item: keyItem } = await clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `key#${sealed.k.S}` } }, ConsistentRead: true }));
    expect(keyItem!.wrappedKey.B!.length).toBeGreaterThan(32);
    expect(keyItem!.keyId.S).toContain(emulators.kmsKeyId);
    expect(item.attrs.M!.subject).toBeUndefined();
    expect(item.attrs.M!.specversion.S).toBe('1.0');
  });

  it('deflates data that shrinks, and binds that to the sealed data', async () => {
    const text = 'the same words again and again, '.repeat(40);
    const event = cloudEvent({ data: { text } });
    await store.archive(event, position());
    const item = await rawItem(event.source, event.id);
    expect(item.d.M!.z.N).toBe('1');
    expect(item.d.M!.c.B!.length).toBeLessThan(text.length / 4);
    expect((await store.get(event.source, event.id))!.event).toEqual(event);
    // Claiming the data was not deflated fails authentication instead of yielding deflated bytes as JSON.
    await clients.dynamodb.send(
      new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: itemKey(event.source, event.id) } }, UpdateExpression: 'REMOVE d.z' }),
    );
    const error = await store.get(event.source, event.id).catch((e: unknown) => e);
    expect((error as DecryptionError).reason).toBe(DecryptionFailure.authenticationFailed);
  });

  it('answers duplicate for the same source + id and leaves the first item untouched', async () => {
    const first = cloudEvent();
    const firstPosition = position();
    await store.archive(first, firstPosition);
    const before = await rawItem(first.source, first.id);
    const again = { ...first, type: 'com.example.orders.changed', data: { overwritten: true } };
    expect(await store.archive(again, position())).toBe('duplicate');
    expect(await rawItem(first.source, first.id)).toEqual(before);
    expect(await store.get(first.source, first.id)).toMatchObject({ event: first, sequence: firstPosition.sequence });
  });

  it('keeps pairs apart whose source and id concatenate alike', async () => {
    const id = randomUUID();
    const a = cloudEvent({ source: `/a/${id}`, id: 'b', data: 'first' });
    const b = cloudEvent({ source: '/a', id: `${id}/b`, data: 'second' });
    expect(await store.archive(a, position())).toBe('stored');
    expect(await store.archive(b, position())).toBe('stored');
    expect((await store.get(a.source, a.id))!.event.data).toBe('first');
    expect((await store.get(b.source, b.id))!.event.data).toBe('second');
  });

  it('stores an event whose source + id exceed the 2 KiB key limit', async () => {
    const event = cloudEvent({ source: `/long/${'x'.repeat(3000)}` });
    expect(await store.archive(event, position())).toBe('stored');
    expect(await store.archive(event, position())).toBe('duplicate');
    expect((await store.get(event.source, event.id))!.event).toEqual(event);
  });

  it('stores an event of the largest size a stage may accept, with incompressible data', async () => {
    const event = cloudEvent({ data: undefined, data_base64: '', datacontenttype: 'application/octet-stream' });
    const room = MAX_STORABLE_EVENT_BYTES - Buffer.byteLength(JSON.stringify(event));
    event.data_base64 = randomBytes(Math.floor((room * 3) / 4)).toString('base64').slice(0, room);
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(MAX_STORABLE_EVENT_BYTES);
    expect(await store.storeBatch([{ event, position: position() }])).toEqual(['stored']);
    const item = (await store.buildItem(event, position())) as unknown as Record<string, unknown>;
    expect(itemBytes(item)).toBeLessThan(DYNAMODB_MAX_ITEM_BYTES - 8 * 1024);
    expect((await store.get(event.source, event.id))!.event).toEqual(event);
  });

  it('refuses a MAX_EVENT_BYTES above what the store can hold, naming the setting', () => {
    expect(() => maxEventBytes({ MAX_EVENT_BYTES: '1048576' })).toThrow(/MAX_EVENT_BYTES \(stage setting maxEventBytes\) must be at most 393216.*got 1048576/);
    expect(maxEventBytes({ MAX_EVENT_BYTES: String(MAX_STORABLE_EVENT_BYTES) })).toBe(MAX_STORABLE_EVENT_BYTES);
    expect(maxEventBytes({})).toBe(262_144);
  });

  it('answers undefined for an unknown event', async () => {
    await expect(store.get('/shop/orders', 'never-archived')).resolves.toBeUndefined();
  });

  describe('tampering in DynamoDB', () => {
    const FIELDS = { ciphertext: 'c', iv: 'iv', tag: 't' } as const;
    async function tamper(event: CloudEventJson, attribute: keyof typeof FIELDS) {
      const item = await rawItem(event.source, event.id);
      const bytes = Buffer.from(item.d.M![FIELDS[attribute]].B!);
      bytes[bytes.length - 1] ^= 0x01;
      await clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: { S: itemKey(event.source, event.id) } },
          UpdateExpression: 'SET d.#field = :bytes',
          ExpressionAttributeNames: { '#field': FIELDS[attribute] },
          ExpressionAttributeValues: { ':bytes': { B: bytes } },
        }),
      );
    }

    it.each([
      ['ciphertext', DecryptionFailure.authenticationFailed],
      ['iv', DecryptionFailure.authenticationFailed],
      ['tag', DecryptionFailure.authenticationFailed],
    ] as const)('a flipped byte in %s makes get throw DecryptionError', async (attribute, reason) => {
      const event = cloudEvent();
      await store.archive(event, position());
      await tamper(event, attribute);
      const error = await store.get(event.source, event.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecryptionError);
      expect((error as DecryptionError).reason).toBe(reason);
    });

    it('a flipped byte in the wrapped data key makes a cold reader throw DecryptionError', async () => {
      const writer = new DynamoDbEventStore({ documents: clients.documents, tableName: TABLE, keys: createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId }) });
      const event = cloudEvent();
      await writer.archive(event, position());
      const ref = (await rawItem(event.source, event.id)).d.M!.k.S!;
      const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `key#${ref}` } }, ConsistentRead: true }));
      const bytes = Buffer.from(Item!.wrappedKey.B!);
      bytes[bytes.length - 1] ^= 0x01;
      await clients.dynamodb.send(
        new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: `key#${ref}` } }, UpdateExpression: 'SET wrappedKey = :bytes', ExpressionAttributeValues: { ':bytes': { B: bytes } } }),
      );
      const reader = new DynamoDbEventStore({ documents: clients.documents, tableName: TABLE, keys: createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId }) });
      const error = await reader.get(event.source, event.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecryptionError);
      expect((error as DecryptionError).reason).toBe(DecryptionFailure.keyUnwrapRefused);
    });

    it("sealed data copied onto another event's item does not open", async () => {
      const [victim, donor] = [cloudEvent(), cloudEvent({ data: { attacker: true } })];
      await store.archive(victim, position());
      await store.archive(donor, position());
      const donorItem = await rawItem(donor.source, donor.id);
      await clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: { S: itemKey(victim.source, victim.id) } },
          UpdateExpression: 'SET d = :sealed',
          ExpressionAttributeValues: { ':sealed': donorItem.d },
        }),
      );
      await expect(store.get(victim.source, victim.id)).rejects.toBeInstanceOf(DecryptionError);
    });
  });

  describe('KMS calls', () => {
    let kms: LocalKms;
    let kmsClient: KMSClient;
    // A KMS of its own, so its call counts are this test's alone.
    beforeAll(async () => {
      kms = await startLocalKms({});
      kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
    });
    afterAll(async () => {
      kmsClient.destroy();
      await kms.close();
    });

    it('archives 1,000 events with one GenerateDataKey, and a cold reader reads them with one Decrypt', async () => {
      const writer = new DynamoDbEventStore({
        documents: clients.documents,
        tableName: TABLE,
        keys: createEventKeys({ kms: kmsClient, keyId: 'alias/switchyard' }),
      });
      const type = `com.example.bulk.${randomUUID()}`;
      const events = Array.from({ length: 1000 }, (_, i) => cloudEvent({ type, data: { i } }));
      for (let i = 0; i < events.length; i += 50) {
        await Promise.all(events.slice(i, i + 50).map((event) => writer.archive(event, position())));
      }
      expect(kms.calls()).toEqual({ GenerateDataKey: 1 });

      // The writer knows its own data key: reading back costs no Decrypt.
      await writer.get(events[0].source, events[0].id);
      expect(kms.calls()).toEqual({ GenerateDataKey: 1 });

      const reader = new DynamoDbEventStore({
        documents: clients.documents,
        tableName: TABLE,
        keys: createEventKeys({ kms: kmsClient, keyId: 'alias/switchyard' }),
      });
      const seen: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await reader.queryEvents({ types: type, limit: 400, cursor });
        seen.push(...page.events.map((stored) => stored.event.data));
        cursor = page.next;
      } while (cursor);
      expect(seen).toHaveLength(1000);
      expect(kms.calls()).toEqual({ GenerateDataKey: 1, Decrypt: 1 });
    });
  });
});
