import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients, type AwsClients } from '../../../src/config/awsClients';
import { ClaimLostError, IDEMPOTENCY_TABLE_SCHEMA, IngestDedupe, itemKey, type IngestDedupeOptions } from '../../../src/store';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { ensureTable } from '../../../local/provision';

const TABLE = 'idempotency-test';
const POSITION = { sequence: '49650000000000000000000000000000000000000000000000000001', shard: 'shardId-000000000001' };

describe('IngestDedupe on dynalite', () => {
  let emulators: Emulators;
  let clients: AwsClients;

  beforeAll(async () => {
    emulators = await startEmulators();
    clients = createAwsClients({ ...process.env, ...emulators.env });
    await ensureTable(clients.dynamodb, TABLE, IDEMPOTENCY_TABLE_SCHEMA);
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    await emulators?.close();
  });

  /** A dedupe on a clock the test moves, and a fresh source + id. */
  function setup(options: Partial<IngestDedupeOptions> = {}) {
    let now = Date.UTC(2024, 4, 1, 10, 0, 0);
    const dedupe = new IngestDedupe({ documents: clients.documents, tableName: TABLE, clock: () => now, ...options });
    return {
      dedupe,
      source: '/shop/orders',
      id: randomUUID(),
      advance: (seconds: number) => void (now += seconds * 1000),
    };
  }

  async function rawRecord(source: string, id: string) {
    const { Item } = await clients.documents.send(new GetCommand({ TableName: TABLE, Key: { pk: itemKey('ingest', source, id) }, ConsistentRead: true }));
    return Item;
  }

  it('claims a new source + id, and answers completed with the position once completed', async () => {
    const { dedupe, source, id } = setup();
    const claim = await dedupe.claim(source, id);
    expect(claim).toEqual({ status: 'claimed', token: expect.any(String) });
    await dedupe.complete(source, id, (claim as { token: string }).token, POSITION);
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'completed', ...POSITION });
  });

  it('writes a numeric TTL attribute at the end of the window', async () => {
    const { dedupe, source, id } = setup();
    const claim = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.complete(source, id, claim.token, POSITION);
    const record = await rawRecord(source, id);
    expect(record).toMatchObject({ status: 'completed', source, id, ...POSITION });
    expect(record!.expiresAt).toBe(Date.UTC(2024, 4, 1, 10, 0, 0) / 1000 + 86_400);
    expect(record!.inProgressUntil).toBeUndefined();
  });

  it('answers in_progress, with the seconds left, while another claim is fresh', async () => {
    const { dedupe, source, id, advance } = setup();
    await dedupe.claim(source, id);
    advance(12);
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'in_progress', retryAfterSeconds: 18 });
    advance(17.5);
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'in_progress', retryAfterSeconds: 1 });
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const { dedupe, source, id } = setup();
    const claims = await Promise.all(Array.from({ length: 10 }, () => dedupe.claim(source, id)));
    expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.status === 'in_progress')).toHaveLength(9);
  });

  it('takes over a claim left unfinished past inProgressTimeoutSeconds, so a crash never drops the event', async () => {
    const { dedupe, source, id, advance } = setup();
    const crashed = (await dedupe.claim(source, id)) as { token: string };
    advance(30);
    const retry = await dedupe.claim(source, id);
    expect(retry).toEqual({ status: 'claimed', token: expect.any(String) });
    expect((retry as { token: string }).token).not.toBe(crashed.token);

    // The crashed request, if it wakes up, cannot complete over the new owner.
    const error = await dedupe.complete(source, id, crashed.token, POSITION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClaimLostError);
    expect((error as ClaimLostError).existing).toMatchObject({ status: 'in_progress' });

    await dedupe.complete(source, id, (retry as { token: string }).token, { ...POSITION, sequence: '2' });
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'completed', ...POSITION, sequence: '2' });
  });

  it('honours a configured in-progress timeout', async () => {
    const { dedupe, source, id, advance } = setup({ inProgressTimeoutSeconds: 5 });
    await dedupe.claim(source, id);
    advance(4);
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'in_progress', retryAfterSeconds: 1 });
    advance(1);
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'claimed' });
  });

  it('claims again once the dedupe window has passed (no TTL needed)', async () => {
    const { dedupe, source, id, advance } = setup();
    const first = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.complete(source, id, first.token, POSITION);
    advance(86_399);
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'completed' });
    advance(1);
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'claimed' });
  });

  it('honours a configured window', async () => {
    const { dedupe, source, id, advance } = setup({ windowSeconds: 60 });
    const first = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.complete(source, id, first.token, POSITION);
    advance(59);
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'completed' });
    advance(1);
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'claimed' });
  });

  it('release lets the next request claim at once', async () => {
    const { dedupe, source, id } = setup();
    const claim = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.release(source, id, claim.token);
    expect(await rawRecord(source, id)).toBeUndefined();
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'claimed' });
  });

  it("release with another request's token deletes nothing", async () => {
    const { dedupe, source, id } = setup();
    await dedupe.claim(source, id);
    await expect(dedupe.release(source, id, 'not-the-token')).resolves.toBeUndefined();
    await expect(dedupe.claim(source, id)).resolves.toMatchObject({ status: 'in_progress' });
  });

  it('release after complete keeps the completed record', async () => {
    const { dedupe, source, id } = setup();
    const claim = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.complete(source, id, claim.token, POSITION);
    await dedupe.release(source, id, claim.token);
    await expect(dedupe.claim(source, id)).resolves.toEqual({ status: 'completed', ...POSITION });
  });

  it('release of a record that is gone is a no-op', async () => {
    const { dedupe, source, id } = setup();
    await expect(dedupe.release(source, id, 'whatever')).resolves.toBeUndefined();
  });

  it('complete with a wrong token, or with no record, throws ClaimLostError rather than an SDK error', async () => {
    const { dedupe, source, id } = setup();
    await dedupe.claim(source, id);
    const wrong = await dedupe.complete(source, id, 'not-the-token', POSITION).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ClaimLostError);
    expect(wrong).toMatchObject({ source, id, existing: { status: 'in_progress' } });

    const missing = await dedupe.complete(source, randomUUID(), 'token', POSITION).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ClaimLostError);
    expect((missing as ClaimLostError).existing).toBeUndefined();
  });

  it('complete is repeatable with the same token', async () => {
    const { dedupe, source, id } = setup();
    const claim = (await dedupe.claim(source, id)) as { token: string };
    await dedupe.complete(source, id, claim.token, POSITION);
    await expect(dedupe.complete(source, id, claim.token, POSITION)).resolves.toBeUndefined();
  });

  it('keeps pairs apart whose source and id concatenate alike', async () => {
    const { dedupe } = setup();
    const suffix = randomUUID();
    await expect(dedupe.claim(`/a/${suffix}`, 'b')).resolves.toMatchObject({ status: 'claimed' });
    await expect(dedupe.claim('/a', `${suffix}/b`)).resolves.toMatchObject({ status: 'claimed' });
  });

  it.each([
    [{ inProgressTimeoutSeconds: 0 }, /inProgressTimeoutSeconds must be > 0, got 0/],
    [{ windowSeconds: 10 }, /windowSeconds must be >= inProgressTimeoutSeconds \(30\), got 10/],
    [{ tableName: '' }, /tableName is required/],
  ])('rejects options %j', (options, message) => {
    expect(() => new IngestDedupe({ documents: clients.documents, tableName: TABLE, ...options })).toThrow(message);
  });
});
