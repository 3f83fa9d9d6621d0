import { CompletionBuffer, type BufferedCompletion } from '../../../src/worker/CompletionBuffer';

const completion = (n: number): BufferedCompletion => ({ source: '/test', id: `e${n}`, attempts: 1, sequenceNumber: String(n) });
const tick = () => new Promise((resolve) => setImmediate(resolve));

function buffer(maxEvents: number, maxMs: number, write: (batch: BufferedCompletion[]) => Promise<void>, lost = new AbortController()) {
  return new CompletionBuffer({ write, flush: { maxEvents, maxMs }, lost: lost.signal, backoff: () => 1, log: () => undefined, shardId: 'shard-0' });
}

describe('CompletionBuffer', () => {
  it('never lets more than maxEvents runs be unwritten: a run waiting for a slot flushes the waiting completions', async () => {
    const written: string[][] = [];
    let finishWrite!: () => void;
    const completions = buffer(3, 60_000, (batch) => {
      written.push(batch.map((c) => c.id));
      return new Promise<void>((resolve) => (finishWrite = resolve));
    });
    const stop = new AbortController().signal;
    for (let n = 0; n < 3; n++) {
      expect(await completions.acquire(stop)).toBe(true);
      if (n < 2) completions.add(completion(n));
    }
    expect(completions.unwritten).toBe(3);
    expect(written).toEqual([]); // 2 waiting, 1 running: below maxEvents, nothing forces a write yet
    let fourth = false;
    const waiting = completions.acquire(stop).then((ok) => (fourth = ok));
    await tick();
    expect(written).toEqual([['e0', 'e1']]); // the waiting run started a flush
    expect(fourth).toBe(false); // ...and still waits: the slots free only once the write is durable
    finishWrite();
    await waiting;
    expect(fourth).toBe(true);
    expect(completions.unwritten).toBe(2); // the run still going, and the one that got a slot
  });

  it('with maxEvents 1, writes each completion before the next run starts', async () => {
    const order: string[] = [];
    const completions = buffer(1, 60_000, async (batch) => {
      order.push(`write ${batch.map((c) => c.id).join()}`);
    });
    const stop = new AbortController().signal;
    for (let n = 0; n < 3; n++) {
      await completions.acquire(stop);
      order.push(`run e${n}`);
      completions.add(completion(n));
    }
    await completions.flush();
    expect(order).toEqual(['run e0', 'write e0', 'run e1', 'write e1', 'run e2', 'write e2']);
  });

  it('writes a completion that waited maxMs, without waiting for more', async () => {
    const written: string[][] = [];
    const completions = buffer(100, 20, async (batch) => {
      written.push(batch.map((c) => c.id));
    });
    await completions.acquire(new AbortController().signal);
    completions.add(completion(1));
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(written).toEqual([['e1']]);
    expect(completions.unwritten).toBe(0);
  });

  it('retries a failed write until it succeeds, and gives up once the lease is lost; flushOnce writes them once more', async () => {
    let calls = 0;
    const lost = new AbortController();
    const completions = buffer(
      10,
      60_000,
      async () => {
        calls += 1;
        if (calls <= 2) throw new Error('DynamoDB unavailable');
      },
      lost,
    );
    await completions.acquire(new AbortController().signal);
    completions.add(completion(1));
    await completions.flush();
    expect(calls).toBe(3);
    expect(completions.unwritten).toBe(0);

    let failing = true;
    const second = buffer(
      10,
      60_000,
      async () => {
        if (failing) throw new Error('DynamoDB unavailable');
      },
      lost,
    );
    await second.acquire(new AbortController().signal);
    second.add(completion(2));
    const flushed = second.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));
    lost.abort();
    await flushed; // resolves with the completion unwritten
    expect(second.unwritten).toBe(1);
    failing = false;
    await second.flushOnce();
    expect(second.unwritten).toBe(0);
  });

  it('commit hands the waiting completions to a checkpoint, and keeps them waiting if it fails', async () => {
    const completions = buffer(10, 60_000, async () => undefined);
    await completions.acquire(new AbortController().signal);
    completions.add(completion(1));
    await expect(completions.commit(async () => Promise.reject(new Error('lease lost')))).rejects.toThrow('lease lost');
    expect(completions.unwritten).toBe(1);
    const committed: string[] = [];
    await completions.commit(async (batch) => {
      committed.push(...batch.map((c) => c.id));
    });
    expect(committed).toEqual(['e1']);
    expect(completions.unwritten).toBe(0);
  });

  it('a stop ends a wait for a slot without starting the run', async () => {
    const completions = buffer(1, 60_000, () => new Promise<void>(() => undefined));
    const stop = new AbortController();
    await completions.acquire(stop.signal);
    const waiting = completions.acquire(stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
    expect(completions.unwritten).toBe(1);
  });
});
