import { InvalidPatternError, type MatchableSubscription, SubscriptionMatcher } from '../../../src/routing';

const orderEvent = {
  specversion: '1.0',
  id: 'e1',
  source: '/shop/eu',
  type: 'com.example.orders.created',
  subject: 'orders/42',
  data: { total: 150, currency: 'EUR', lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }] },
};

/** Both entry points must agree; returns their answer. */
function matchBoth(matcher: SubscriptionMatcher, event: unknown): string[] {
  const parsed = matcher.match(event);
  expect(matcher.matchJson(JSON.stringify(event))).toEqual(parsed);
  return parsed;
}

describe('SubscriptionMatcher', () => {
  it('matches the example subscriptions of DESIGN.md', () => {
    const matcher = new SubscriptionMatcher([
      {
        id: 'orders-to-billing',
        types: ['com.example.orders.*'],
        filter: { source: [{ prefix: '/shop' }], data: { total: [{ numeric: ['>', 100] }] } },
      },
      { id: 'erp', types: ['com.example.>'] },
      { id: 'audit' },
    ]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['orders-to-billing', 'erp', 'audit']);
    expect(matchBoth(matcher, { ...orderEvent, data: { total: 50 } })).toEqual(['erp', 'audit']);
    expect(matchBoth(matcher, { ...orderEvent, type: 'com.example.orders.created.v2' })).toEqual(['erp', 'audit']);
    expect(matchBoth(matcher, { ...orderEvent, type: 'org.other' })).toEqual(['audit']);
  });

  it('returns ids in configuration order, each once', () => {
    const matcher = new SubscriptionMatcher([
      { id: 'z', filter: { $or: [{ source: [{ prefix: '/' }] }, { type: [{ prefix: 'com' }] }] } },
      { id: 'a', types: ['com.>', 'com.example.>'] },
      { id: 'm', filter: { data: { lines: { sku: ['A', 'B'] } } } },
    ]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['z', 'a', 'm']);
  });

  it('filters on subjects with the same NATS rules', () => {
    const matcher = new SubscriptionMatcher([
      { id: 'orders', subjects: ['orders/42', 'orders.*'] },
      { id: 'dotted', subjects: ['orders.>'] },
    ]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['orders']);
    expect(matchBoth(matcher, { ...orderEvent, subject: 'orders.42.lines' })).toEqual(['dotted']);
    expect(matchBoth(matcher, { ...orderEvent, subject: undefined })).toEqual([]);
  });

  it('matches no type with an empty list, and every type when the list is absent', () => {
    const matcher = new SubscriptionMatcher([{ id: 'none', types: [] }, { id: 'all' }]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['all']);
  });

  it('requires a string type for type patterns', () => {
    const matcher = new SubscriptionMatcher([{ id: 'any', types: ['>'] }]);
    expect(matchBoth(matcher, { ...orderEvent, type: 5 })).toEqual([]);
    expect(matchBoth(matcher, { ...orderEvent, type: ['com'] })).toEqual([]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['any']);
  });

  it('sees the CloudEvent attributes at the top of the pattern and data below', () => {
    const matcher = new SubscriptionMatcher([
      { id: 'eur', filter: { data: { currency: ['EUR'] }, specversion: ['1.0'] } },
      { id: 'qty', filter: { data: { lines: { sku: ['B'], qty: [{ numeric: ['>=', 2] }] } } } },
      { id: 'qty-a', filter: { data: { lines: { sku: ['A'], qty: [{ numeric: ['>=', 2] }] } } } },
    ]);
    expect(matchBoth(matcher, orderEvent)).toEqual(['eur', 'qty-a']);
  });

  it('gives answers unaffected by how many other subscriptions there are', () => {
    const subscriptions: MatchableSubscription[] = [];
    for (let i = 0; i < 5000; i++) {
      subscriptions.push({
        id: `s${i}`,
        types: [`com.example.domain${i % 50}.*`],
        filter: { data: { customer: [`c${i}`], total: [{ numeric: ['>', i % 100] }] } },
      });
    }
    subscriptions.push({ id: 'wide', filter: { data: { total: [{ 'anything-but': 0 }] } } });
    const matcher = new SubscriptionMatcher(subscriptions);
    const event = { type: 'com.example.domain7.created', data: { customer: 'c107', total: 50 } };
    expect(matchBoth(matcher, event)).toEqual(['s107', 'wide']);
    expect(matchBoth(matcher, { ...event, data: { customer: 'c107', total: 7 } })).toEqual(['wide']);
    expect(matchBoth(matcher, { ...event, type: 'com.example.domain8.created' })).toEqual(['wide']);
  });

  it('refuses a configuration with every invalid pattern and its path', () => {
    let thrown: unknown;
    try {
      new SubscriptionMatcher([
        { id: 'ok', types: ['a.>'] },
        { id: 'bad', types: ['a.>.b'], subjects: ['x..y'], filter: { data: { total: [{ numeric: '>' }] } } },
      ]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPatternError);
    expect((thrown as InvalidPatternError).errors.map((e) => e.path)).toEqual([
      'subscriptions[1].types[0]',
      'subscriptions[1].subjects[0]',
      'subscriptions[1].filter.data.total[0].numeric',
    ]);
    expect((thrown as Error).message).toContain('subscriptions[1].types[0]');
  });

  it('matches only subscriptions without conditions against non-objects', () => {
    const matcher = new SubscriptionMatcher([{ id: 'all' }, { id: 'typed', types: ['>'] }, { id: 'absent', filter: { a: [{ exists: false }] } }]);
    expect(matcher.match(null)).toEqual(['all', 'absent']);
    expect(matcher.match('text')).toEqual(['all', 'absent']);
    expect(matcher.matchJson('[1, 2]')).toEqual(['all', 'absent']);
  });

  it('stays right when its per-event marks wrap around', () => {
    const matcher = new SubscriptionMatcher([
      { id: 'eur', filter: { data: { currency: ['EUR'] } } },
      { id: 'total', types: ['com.example.>'], filter: { data: { total: [{ numeric: ['>', 100] }] } } },
    ]);
    const internals = matcher as unknown as { stamp: number; scanner: { scanId: number } };
    const answers: string[][] = [];
    internals.stamp = 0xfffffffd;
    internals.scanner.scanId = 0xfffffffd;
    for (let i = 0; i < 6; i++) {
      answers.push(matcher.matchJson(JSON.stringify(i % 2 === 0 ? orderEvent : { ...orderEvent, data: { currency: 'AUD', total: 1 } })));
    }
    expect(answers).toEqual([['eur', 'total'], [], ['eur', 'total'], [], ['eur', 'total'], []]);
  });

  it('keeps configuration order when many matches are found through different indexes', () => {
    // Interleaved: type-only (listed outright per type), type + filter (checked), filter only
    // (found through a field index), and a subject-driven one; 3 × 40 + 1 matches.
    const subscriptions: MatchableSubscription[] = [];
    for (let i = 0; i < 40; i++) {
      subscriptions.push({ id: `type-${i}`, types: ['com.example.orders.created'] });
      subscriptions.push({ id: `checked-${i}`, types: ['com.example.orders.*'], filter: { data: { currency: ['EUR'] } } });
      subscriptions.push({ id: `field-${i}`, filter: { source: ['/shop/eu'] } });
      subscriptions.push({ id: `miss-${i}`, types: ['com.example.orders.created'], filter: { data: { currency: ['AUD'] } } });
    }
    subscriptions.splice(7, 0, { id: 'subject', subjects: ['orders.*', 'orders/42'] });
    const matcher = new SubscriptionMatcher(subscriptions);
    const expected = subscriptions.map((s) => s.id).filter((id) => !id.startsWith('miss-'));
    expect(matchBoth(matcher, orderEvent)).toEqual(expected);
    expect(matchBoth(matcher, { ...orderEvent, data: { currency: 'AUD' } })).toEqual(
      subscriptions.map((s) => s.id).filter((id) => !id.startsWith('checked-')),
    );
  });

  it('counts its subscriptions', () => {
    expect(new SubscriptionMatcher([{ id: 'a' }, { id: 'b' }]).size).toBe(2);
  });
});
