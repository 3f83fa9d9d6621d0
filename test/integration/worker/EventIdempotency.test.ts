import { createAwsClients } from '../../../src/wiring/awsClients';
import { EventClaimLostError, EventCompletionError, EventIdempotency, EventInProgressError } from '../../../src/worker';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

describe('EventIdempotency (dynalite)', () => {
  let bus: TestEmulators;
  let now: number;
  const clock = () => now;
  const make = (consumer = 'orders') =>
    new EventIdempotency({ documents: bus.clients.documents, tableName: bus.names.idempotencyTable, consumer, inProgressTimeoutMs: 1_000, retentionSeconds: 60, clock });
  let counter = 0;
  const freshEvent = () => ({ source: '/shop', id: `e-${++counter}` });

  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
  });
  afterAll(() => bus.close());
  beforeEach(() => {
    now = 1_800_000_000_000;
  });

  it('runs an event once and answers duplicate afterwards', async () => {
    const records = make();
    const event = freshEvent();
    const calls: number[] = [];
    const first = await records.runOnce(event, async ({ attempt }) => {
      calls.push(attempt);
      return 'done';
    });
    expect(first).toEqual({ duplicate: false, result: 'done', attempt: 1 });
    const second = await records.runOnce(event, async () => {
      calls.push(-1);
    });
    expect(second).toEqual({ duplicate: true, completedAt: now });
    expect(calls).toEqual([1]);
  });

  it('keeps consumers apart, and apart from ingest dedupe keys', async () => {
    const event = freshEvent();
    await make('a').runOnce(event, async () => undefined);
    const other = await make('b').runOnce(event, async () => 'b ran');
    expect(other).toEqual({ duplicate: false, result: 'b ran', attempt: 1 });
    expect(make('a').recordKey(event)).toBe(JSON.stringify(['worker', 'a', event.source, event.id]));
  });

  it('refuses a live in-progress claim, then lets an expired one be taken over with attempt + 1', async () => {
    const records = make();
    const event = freshEvent();
    const first = await records.claim(event);
    expect(first).toMatchObject({ status: 'claimed', attempt: 1 });
    now += 400;
    expect(await records.claim(event)).toEqual({ status: 'in_progress', retryAfterMs: 600 });
    await expect(records.runOnce(event, async () => undefined)).rejects.toBeInstanceOf(EventInProgressError);
    now += 700; // the first holder "crashed": its mark expired
    const takeover = await records.claim(event);
    expect(takeover).toMatchObject({ status: 'claimed', attempt: 2 });
    // The crashed holder coming back cannot complete over the new claim.
    await expect(records.complete(event, (first as { token: string }).token)).rejects.toBeInstanceOf(EventClaimLostError);
    await records.complete(event, (takeover as { token: string }).token);
    expect(await records.claim(event)).toEqual({ status: 'completed', completedAt: now });
  });

  it('counts failed runs across claims and keeps the last error', async () => {
    const records = make();
    const event = freshEvent();
    for (const attempt of [1, 2, 3]) {
      await expect(
        records.runOnce(event, async (claim) => {
          expect(claim.attempt).toBe(attempt);
          throw new Error(`boom ${attempt}`);
        }),
      ).rejects.toThrow(`boom ${attempt}`);
    }
    expect(await records.inspect(event)).toEqual({ status: 'failed', attempts: 3, lastError: 'Error: boom 3' });
    const done = await records.runOnce(event, async ({ attempt }) => attempt);
    expect(done).toEqual({ duplicate: false, result: 4, attempt: 4 });
  });

  it('abandon gives a claim back without counting it', async () => {
    const records = make();
    const event = freshEvent();
    const claim = await records.claim(event);
    await records.abandon(event, (claim as { token: string }).token);
    expect(await records.inspect(event)).toBeUndefined();
    expect(await records.runOnce(event, async ({ attempt }) => attempt)).toEqual({ duplicate: false, result: 1, attempt: 1 });
    expect(await records.inspect(event)).toEqual({ status: 'completed', attempts: 1 });
  });

  it('forgets a completed event after the retention window', async () => {
    const records = make();
    const event = freshEvent();
    await records.runOnce(event, async () => undefined);
    now += 61_000;
    expect(await records.claim(event)).toMatchObject({ status: 'claimed', attempt: 1 });
  });

  it('keeps the claim when the completion write fails, so completing it later does not re-run the handler', async () => {
    // dynalite cannot be told to fail one write: a middleware fails the first completion, as a DynamoDB outage would.
    const clients = createAwsClients(bus.env);
    let failNext = true;
    clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (failNext && context.commandName === 'UpdateItemCommand' && input.UpdateExpression?.includes(':completed')) {
          failNext = false;
          throw Object.assign(new Error('injected outage'), { name: 'InternalServerError', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOneCompletion' },
    );
    const records = new EventIdempotency({ documents: clients.documents, tableName: bus.names.idempotencyTable, consumer: 'orders', clock });
    const event = freshEvent();
    let runs = 0;
    const failure = await records.runOnce(event, async () => void (runs += 1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EventCompletionError);
    expect(await records.inspect(event)).toMatchObject({ status: 'in_progress', attempts: 1 });
    await records.complete(event, (failure as EventCompletionError).token);
    expect(await records.runOnce(event, async () => void (runs += 1))).toMatchObject({ duplicate: true });
    expect(runs).toBe(1);
    clients.dynamodb.destroy();
  });

  it('refuses bad options with the option named', () => {
    expect(() => new EventIdempotency({ documents: bus.clients.documents, tableName: '', consumer: 'x' })).toThrow(/tableName/);
    expect(() => new EventIdempotency({ documents: bus.clients.documents, tableName: 't', consumer: '' })).toThrow(/consumer/);
    expect(() => new EventIdempotency({ documents: bus.clients.documents, tableName: 't', consumer: 'x', inProgressTimeoutMs: 0 })).toThrow(/inProgressTimeoutMs/);
  });
  it('writes many completions at once and reads many records at once (batches of 25 and 100, expired ones left out)', async () => {
    const records = make();
    const events = Array.from({ length: 130 }, () => freshEvent());
    expect((await records.lookup(events)).size).toBe(0);
    await records.completeMany([...events.slice(0, 60), events[0]].map((event) => ({ ...event, attempts: 1 })));
    const found = await records.lookup([...events, events[1]]);
    expect(found.size).toBe(60);
    expect(found.get(records.recordKey(events[59]))).toEqual({ status: 'completed', attempts: 1 });
    expect(found.has(records.recordKey(events[60]))).toBe(false);
    expect(await records.claim(events[10])).toMatchObject({ status: 'completed' });
    now += 61_000; // past retentionSeconds
    expect((await records.lookup(events.slice(0, 60))).size).toBe(0);
  });

  it('records a failed run made without a claim, so the next claim counts it, and leaves an existing record alone', async () => {
    const records = make();
    const event = freshEvent();
    await records.recordFailure(event, 1, new Error('boom'));
    expect(await records.inspect(event)).toEqual({ status: 'failed', attempts: 1, lastError: 'Error: boom' });
    expect(await records.claim(event)).toMatchObject({ status: 'claimed', attempt: 2 });
    await records.recordFailure(event, 1, new Error('late'));
    expect(await records.inspect(event)).toMatchObject({ status: 'in_progress', attempts: 2 });
  });
});
