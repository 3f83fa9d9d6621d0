import { countAccepted, countPublishRefusal } from '../../../src/observability/countPublishes';

function recorder() {
  const counts: Record<string, number> = {};
  return { counts, metrics: { addMetric: (name: string, _unit: string, value: number) => void (counts[name] = (counts[name] ?? 0) + value) } };
}

const accepted = (duplicate: boolean) => ({ id: 'e', source: 's', sequence: '1', shard: 'shardId-0', duplicate });

describe('countAccepted', () => {
  test('counts new events as published and stored ones as duplicates answered', () => {
    const { counts, metrics } = recorder();
    countAccepted(metrics, [accepted(false), accepted(true), accepted(false)]);
    expect(counts).toEqual({ EventsPublished: 2, DuplicatesAnswered: 1 });
  });

  test('emits nothing for an empty answer', () => {
    const { counts, metrics } = recorder();
    countAccepted(metrics, []);
    expect(counts).toEqual({});
  });
});

describe('countPublishRefusal', () => {
  test.each([
    [400, 'PublishRejected'],
    [401, 'PublishRejected'],
    [413, 'PublishRejected'],
    [429, 'PublishThrottled'],
    [503, 'PublishThrottled'],
    [500, 'PublishErrors'],
    [502, 'PublishErrors'],
  ])('POST /events answered %i counts %s', (status, metric) => {
    const { counts, metrics } = recorder();
    countPublishRefusal(metrics, { method: 'POST', path: '/events' }, { status });
    expect(counts).toEqual({ [metric]: 1 });
  });

  test.each([
    ['POST', '/events', 202],
    ['GET', '/events', 500],
    ['GET', '/events/abc', 404],
    ['GET', '/feeds/x', 401],
  ])('%s %s answered %i counts nothing', (method, path, status) => {
    const { counts, metrics } = recorder();
    countPublishRefusal(metrics, { method, path }, { status });
    expect(counts).toEqual({});
  });
});
