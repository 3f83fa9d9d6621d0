import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createEventKeys } from '../../../src/crypto';
import type { CloudEventJson } from '../../../src/events/types';
import { DynamoDbEventStore, EVENT_TABLE_SCHEMA, itemKey, type EventQuery, type EventQueryPage } from '../../../src/store';
import { createAwsClients, type AwsClients } from '../../../src/wiring/awsClients';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { ensureTable } from '../../../local/provision';

const TABLE = 'events-paging';
const BASE = Date.UTC(2026, 0, 1);

/** One stored event as the brute force sees it: what it is and where the index puts it. */
interface Model {
  id: string;
  type: string;
  source: string;
  arrival: number;
  /** (arrival ISO#sequence, pk): the order the store must answer in, computed here independently. */
  order: [string, string];
}

/**
 * Property: whatever the events (types, sources, arrival times with ties, storage order) and whatever the walk
 * (page sizes, next or previous at each step), every page equals the brute-force sort of the same events, sliced
 * after the cursor's event in the cursor's direction; so paging both ways returns every event exactly once.
 */
describe('queryEvents paging, against a brute-force sort', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let store: DynamoDbEventStore;
  let sequence = 0n;

  beforeAll(async () => {
    emulators = await startEmulators();
    clients = createAwsClients({ ...process.env, ...emulators.env });
    await ensureTable(clients.dynamodb, TABLE, EVENT_TABLE_SCHEMA);
    store = new DynamoDbEventStore({
      documents: clients.documents,
      tableName: TABLE,
      keys: createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId }),
      catalogCacheMs: 0,
    });
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.kms.destroy();
    await emulators?.close();
  });

  const compare = (a: Model, b: Model) => (a.order[0] !== b.order[0] ? (a.order[0] < b.order[0] ? -1 : 1) : a.order[1] < b.order[1] ? -1 : a.order[1] > b.order[1] ? 1 : 0);

  const scenario = fc.record({
    events: fc.array(fc.record({ type: fc.constantFrom('a', 'b.c', 'b.d', 'b.d.e'), source: fc.constantFrom('/s0', '/s1'), second: fc.nat(6) }), { minLength: 0, maxLength: 40 }),
    batchSize: fc.integer({ min: 1, max: 12 }),
    pattern: fc.constantFrom('>', 'b.*', 'b.>', 'a', 'exact-and-pattern'),
    source: fc.option(fc.constantFrom('/s0', '/s1'), { nil: undefined }),
    from: fc.option(fc.nat(6), { nil: undefined }),
    to: fc.option(fc.nat(7), { nil: undefined }),
    descending: fc.boolean(),
    walk: fc.array(fc.record({ limit: fc.integer({ min: 1, max: 7 }), back: fc.boolean() }), { minLength: 1, maxLength: 10 }),
  });

  it('every page is the brute-force slice; forward then backward passes return each event once', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const ns = `n${randomUUID().replace(/-/g, '')}`;
        const events: CloudEventJson[] = [];
        const models: Model[] = [];
        const entries = s.events.map(({ type, source, second }) => {
          const event: CloudEventJson = { specversion: '1.0', id: randomUUID(), source, type: `${ns}.${type}` };
          const seq = String(10n ** 55n + ++sequence);
          const arrivedAt = new Date(BASE + second * 1000).toISOString();
          events.push(event);
          models.push({ id: event.id, type: event.type, source, arrival: second, order: [`${arrivedAt}#${seq}`, itemKey(source, event.id)] });
          return { event, position: { sequence: seq, shard: 'shardId-000000000000', arrivedAt } };
        });
        // Stored in reverse, in batches: storage order is not the answer's order.
        const reversed = [...entries].reverse();
        for (let i = 0; i < reversed.length; i += s.batchSize) await store.storeBatch(reversed.slice(i, i + s.batchSize));

        const types = s.pattern === 'exact-and-pattern' ? [`${ns}.a`, `${ns}.b.*`] : [`${ns}.${s.pattern}`];
        const typeMatches = (type: string) => {
          const rest = type.slice(ns.length + 1);
          if (s.pattern === '>') return true;
          if (s.pattern === 'b.*') return rest === 'b.c' || rest === 'b.d';
          if (s.pattern === 'b.>') return rest.startsWith('b.');
          if (s.pattern === 'a') return rest === 'a';
          return rest === 'a' || rest === 'b.c' || rest === 'b.d';
        };
        const from = s.from;
        const to = s.to !== undefined && from !== undefined && s.to < from ? undefined : s.to;
        const query: EventQuery = {
          types,
          ...(s.source ? { source: s.source } : {}),
          ...(from !== undefined ? { from: new Date(BASE + from * 1000) } : {}),
          ...(to !== undefined ? { to: new Date(BASE + to * 1000).toISOString() } : {}),
          descending: s.descending,
        };
        const ascending = models
          .filter((m) => typeMatches(m.type) && (!s.source || m.source === s.source) && (from === undefined || m.arrival >= from) && (to === undefined || m.arrival < to))
          .sort(compare);
        const inDirection = (descending: boolean) => (descending ? [...ascending].reverse() : ascending);
        const expectedPage = (descending: boolean, after: Model | undefined, limit: number) => {
          const list = inDirection(descending);
          const start = after === undefined ? 0 : list.indexOf(after) + 1;
          return { events: list.slice(start, start + limit), more: start + limit < list.length };
        };
        const byId = new Map(models.map((m) => [m.id, m]));
        const idsOf = (page: EventQueryPage) => page.events.map((stored) => stored.event.id);

        // A walk: each step follows next or previous of the page before (the first page has no cursor).
        let page = await store.queryEvents({ ...query, limit: s.walk[0].limit });
        let expected = expectedPage(s.descending, undefined, s.walk[0].limit);
        let descending = s.descending;
        for (let step = 0; ; step++) {
          expect(idsOf(page)).toEqual(expected.events.map((m) => m.id));
          expect(page.next !== undefined).toBe(expected.more);
          expect(page.previous !== undefined).toBe(expected.events.length > 0);
          if (step + 1 >= s.walk.length) break;
          const { limit, back } = s.walk[step + 1];
          const cursor = back ? page.previous : page.next;
          if (cursor === undefined) break;
          const ids = idsOf(page);
          const from = back ? byId.get(ids[0]) : byId.get(ids[ids.length - 1]);
          descending = back ? !descending : descending;
          page = await store.queryEvents({ ...query, limit, cursor });
          expected = expectedPage(descending, from, limit);
        }

        // Forward all the way, then back all the way from the last page: each event once, in order.
        const forward: string[] = [];
        let last: EventQueryPage | undefined;
        let cursor: string | undefined;
        let size = 0;
        do {
          last = await store.queryEvents({ ...query, limit: s.walk[size++ % s.walk.length].limit, cursor });
          forward.push(...idsOf(last));
          cursor = last.next;
        } while (cursor);
        expect(forward).toEqual(inDirection(s.descending).map((m) => m.id));
        const backward: string[] = [];
        cursor = last.previous;
        while (cursor) {
          const back = await store.queryEvents({ ...query, limit: s.walk[size++ % s.walk.length].limit, cursor });
          backward.push(...idsOf(back));
          cursor = back.next;
        }
        const lastIds = idsOf(last);
        // Back from the last page's first event: everything before that page, the other way round.
        expect([...backward].reverse()).toEqual(forward.slice(0, forward.length - lastIds.length));
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
