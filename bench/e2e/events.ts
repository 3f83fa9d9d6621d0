/** The e2e bench's events: ~1 KB CloudEvents, each carrying the time it was published. */

/** ms since the epoch with sub-ms resolution, comparable across the bench's threads. */
export const now = (): number => performance.timeOrigin + performance.now();

export const EVENT_TYPE = 'com.example.bench.e2e';
export const EVENT_SOURCE = '/bench/e2e';

export interface BenchEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: { publishedAt: number; seq: number; total: number; currency: string; lines: { sku: string; qty: number; price: number }[]; note: string };
}

/** Pads `note` so an event is about 1 KB as JSON. */
const NOTE = 'x'.repeat(640);

/** Event `seq` of a phase: id `${prefix}${seq}`, its own partition key (subject), stamped with `publishedAt`. */
export function benchEvent(prefix: string, seq: number, publishedAt: number): BenchEvent {
  return {
    specversion: '1.0',
    id: `${prefix}${seq}`,
    source: EVENT_SOURCE,
    type: EVENT_TYPE,
    subject: `order-${seq}`,
    time: new Date(publishedAt).toISOString(),
    datacontenttype: 'application/json',
    data: {
      publishedAt,
      seq,
      total: seq % 1000,
      currency: 'AUD',
      lines: [
        { sku: 'A-1', qty: 2, price: 12.5 },
        { sku: 'B-7', qty: 1, price: 95 },
      ],
      note: NOTE,
    },
  };
}

/** Events `from` … `from + count − 1`, all stamped now. */
export function benchBatch(prefix: string, from: number, count: number): BenchEvent[] {
  const at = now();
  return Array.from({ length: count }, (_, i) => benchEvent(prefix, from + i, at));
}
