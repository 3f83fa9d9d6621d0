import { Readable } from 'node:stream';
import fc from 'fast-check';
import { batchBody, ndjsonBatches, type NdjsonBatch } from '../../../src/cli/http/ndjsonBatches';

async function batchesOf(text: string, options: Parameters<typeof ndjsonBatches>[1] = {}): Promise<NdjsonBatch[]> {
  const batches: NdjsonBatch[] = [];
  for await (const batch of ndjsonBatches(Readable.from([text]), options)) batches.push(batch);
  return batches;
}

const event = (n: number) => JSON.stringify({ specversion: '1.0', id: `e${n}`, source: '/s', type: 't' });

describe('ndjsonBatches', () => {
  test('cuts 1,200 events into batches of 500, 500 and 200, numbering lines as the file does (blank lines counted, skipped)', async () => {
    const lines = Array.from({ length: 1_200 }, (_, i) => event(i + 1));
    lines.splice(3, 0, '', '   ');
    const batches = await batchesOf(`${lines.join('\r\n')}\n`);
    expect(batches.map((batch) => batch.lines.length)).toEqual([500, 500, 200]);
    expect(batches[0].lines.slice(0, 5)).toEqual([1, 2, 3, 6, 7]);
    expect(batches[2].lines.at(-1)).toBe(1_202);
    expect(JSON.parse(batchBody(batches[1]))[0]).toEqual(JSON.parse(event(501)));
    expect(batches.every((batch) => batch.errors.length === 0)).toBe(true);
  });

  test('keeps a batch under the byte limit, whatever the event count', async () => {
    const big = (n: number) => JSON.stringify({ specversion: '1.0', id: `e${n}`, source: '/s', type: 't', data: 'x'.repeat(300) });
    const batches = await batchesOf(Array.from({ length: 10 }, (_, i) => big(i)).join('\n'), { maxBytes: 1_000 });
    for (const batch of batches) expect(Buffer.byteLength(batchBody(batch))).toBeLessThanOrEqual(1_000);
    expect(batches.flatMap((batch) => batch.lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('marks a line that is not JSON, or not an object, in its batch, with its line number', async () => {
    const [batch] = await batchesOf(`${event(1)}\n{"id":\n[1,2]\n"text"\n${event(5)}`);
    expect(batch.lines).toEqual([1, 2, 3, 4, 5]);
    expect(batch.errors).toEqual([
      { line: 2, field: 'line', message: 'is not JSON (one CloudEvent per line)' },
      { line: 3, field: 'line', message: 'is not a JSON object (one CloudEvent per line)' },
      { line: 4, field: 'line', message: 'is not a JSON object (one CloudEvent per line)' },
    ]);
  });

  test('every non-blank line lands in exactly one batch, in order, each batch within both limits, its body a JSON array', async () => {
    const line = fc.oneof(
      fc.constant(''),
      fc.jsonValue().filter((value) => typeof value === 'object' && value !== null && !Array.isArray(value)).map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 200, max: 2_000 }), async (lines, maxEvents, maxBytes) => {
        const batches = await batchesOf(lines.join('\n'), { maxEvents, maxBytes });
        const expected = lines.flatMap((text, i) => (text.trim() === '' ? [] : [i + 1]));
        expect(batches.flatMap((batch) => batch.lines)).toEqual(expected);
        for (const batch of batches) {
          expect(batch.lines.length).toBeGreaterThan(0);
          expect(batch.lines.length).toBeLessThanOrEqual(maxEvents);
          // A single line over the limit travels alone (the bus then names it).
          if (batch.lines.length > 1) expect(Buffer.byteLength(batchBody(batch))).toBeLessThanOrEqual(maxBytes);
          expect(JSON.parse(batchBody(batch))).toHaveLength(batch.lines.length);
        }
      }),
      { numRuns: 100 },
    );
  });
});
