import { explainMatch, type MatchExplanation } from '../../../src/routing/explainMatch';
import { InvalidPatternError, type MatchableSubscription } from '../../../src/routing';

const event = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shop/eu',
  type: 'com.example.orders.created',
  subject: 'orders.eu.42',
  data: { amount: 50, currency: 'EUR', customer: { tier: 'gold', email: 'Ann@Example.com' }, ip: '10.0.0.7', items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 5 }] },
};

function explain(subscription: Omit<MatchableSubscription, 'id'>, target: unknown = event): MatchExplanation {
  return explainMatch({ id: 'sub', ...subscription }, target, { basePath: '/subscriptions/3' });
}

describe('explainMatch', () => {
  it('answers matched when every clause holds', () => {
    expect(explain({ types: ['com.example.orders.*'], subjects: ['orders.>'], filter: { data: { amount: [{ numeric: ['<', 100] }] } } })).toEqual({ matched: true });
    expect(explain({})).toEqual({ matched: true });
  });

  it('names a NATS types miss with every pattern and the event type', () => {
    expect(explain({ types: ['com.example.invoices.*', 'com.other.>'] })).toEqual({
      matched: false,
      clause: {
        path: '/subscriptions/3/types',
        field: 'type',
        expected: 'one of com.example.invoices.*, com.other.>',
        actual: '"com.example.orders.created"',
        message: 'type is "com.example.orders.created", expected one of com.example.invoices.*, com.other.>.',
      },
    });
  });

  it('checks types before subjects, and an absent subject fails a subjects list', () => {
    const both = explain({ types: ['x.>'], subjects: ['y.>'] });
    expect(both.matched || both.clause.path).toBe('/subscriptions/3/types');
    const { subject: _subject, ...withoutSubject } = event;
    const missing = explain({ subjects: ['orders.*.*'] }, withoutSubject);
    expect(missing).toEqual({
      matched: false,
      clause: { path: '/subscriptions/3/subjects', field: 'subject', expected: 'orders.*.*', actual: 'absent', message: 'subject is absent, expected orders.*.*.' },
    });
  });

  it('says an empty types list matches nothing', () => {
    expect(explain({ types: [] })).toMatchObject({ matched: false, clause: { path: '/subscriptions/3/types', expected: 'nothing (an empty list)', message: 'types is an empty list, which matches no event.' } });
  });

  it.each([
    ['a numeric miss in data', { data: { amount: [{ numeric: ['>', 100] }] } }, '/filter/data/amount', 'data.amount', 'numeric > 100', '50'],
    ['a numeric range', { data: { amount: [{ numeric: ['>=', 0, '<', 10] }] } }, '/filter/data/amount', 'data.amount', 'numeric >= 0 and < 10', '50'],
    ['an exact string', { data: { currency: ['USD', 'GBP'] } }, '/filter/data/currency', 'data.currency', '"USD" or "GBP"', '"EUR"'],
    ['exactly', { data: { currency: [{ exactly: 'eur' }] } }, '/filter/data/currency', 'data.currency', 'exactly "eur"', '"EUR"'],
    ['a prefix on an attribute', { source: [{ prefix: '/billing' }] }, '/filter/source', 'source', 'prefix "/billing"', '"/shop/eu"'],
    ['a suffix', { source: [{ suffix: '/us' }] }, '/filter/source', 'source', 'suffix "/us"', '"/shop/eu"'],
    ['a prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': '/SHOPS' } }] }, '/filter/source', 'source', 'prefix "/SHOPS" in any case', '"/shop/eu"'],
    ['anything-but', { data: { currency: [{ 'anything-but': ['EUR', 'CHF'] }] } }, '/filter/data/currency', 'data.currency', 'anything but "EUR", "CHF"', '"EUR"'],
    ['anything-but prefix', { source: [{ 'anything-but': { prefix: '/shop' } }] }, '/filter/source', 'source', 'anything but prefix "/shop"', '"/shop/eu"'],
    ['anything-but a number', { data: { amount: [{ 'anything-but': 50 }] } }, '/filter/data/amount', 'data.amount', 'anything but 50', '50'],
    ['exists true on an absent field', { data: { coupon: [{ exists: true }] } }, '/filter/data/coupon', 'data.coupon', 'present', 'absent'],
    ['exists false on a present field', { data: { customer: { tier: [{ exists: false }] } } }, '/filter/data/customer/tier', 'data.customer.tier', 'absent', '"gold"'],
    ['equals-ignore-case', { data: { customer: { email: [{ 'equals-ignore-case': 'bob@example.com' }] } } }, '/filter/data/customer/email', 'data.customer.email', '"bob@example.com" in any case', '"Ann@Example.com"'],
    ['wildcard', { subject: [{ wildcard: 'orders.us.*' }] }, '/filter/subject', 'subject', 'wildcard "orders.us.*"', '"orders.eu.42"'],
    ['cidr', { data: { ip: [{ cidr: '192.168.0.0/16' }] } }, '/filter/data/ip', 'data.ip', 'an address in 192.168.0.0/16', '"10.0.0.7"'],
    ['a field in an array of objects', { data: { items: { qty: [{ numeric: ['>', 10] }] } } }, '/filter/data/items/qty', 'data.items.qty', 'numeric > 10', '[1, 5]'],
    ['an odd key, escaped in the pointer', { data: { 'a/b~c': ['x'] } }, '/filter/data/a~1b~0c', 'data.a/b~c', '"x"', 'absent'],
  ])('names %s', (_name, filter, path, field, expected, actual) => {
    const explanation = explain({ filter });
    expect(explanation).toEqual({
      matched: false,
      clause: { path: `/subscriptions/3${path}`, field, expected, actual, message: `${field} is ${actual}, expected ${expected}.` },
    });
  });

  it('reports the first failing field in the order the filter declares them', () => {
    const explanation = explain({ filter: { source: [{ prefix: '/shop' }], data: { currency: ['USD'], amount: [{ numeric: ['>', 100] }] } } });
    expect(explanation.matched || explanation.clause.field).toBe('data.currency');
    const reordered = explain({ filter: { data: { amount: [{ numeric: ['>', 100] }], currency: ['USD'] } } });
    expect(reordered.matched || reordered.clause.field).toBe('data.amount');
  });

  it('names a field outside $or when every branch fails there', () => {
    const explanation = explain({ filter: { source: ['/billing'], $or: [{ data: { currency: ['EUR'] } }, { data: { amount: [1] } }] } });
    expect(explanation).toMatchObject({ matched: false, clause: { path: '/subscriptions/3/filter/source', field: 'source' } });
  });

  it('names the $or when its alternatives fail at different fields, listing each', () => {
    const explanation = explain({ filter: { $or: [{ data: { currency: ['USD'] } }, { data: { amount: [{ numeric: ['>', 100] }] } }] } });
    expect(explanation).toEqual({
      matched: false,
      clause: {
        path: '/subscriptions/3/filter/$or',
        field: 'data.currency, data.amount',
        expected: 'one of 2 alternatives',
        actual: 'data.currency: "EUR"; data.amount: 50',
        message: 'no alternative of $or matched: data.currency is "EUR", expected "USD"; data.amount is 50, expected numeric > 100.',
      },
    });
  });

  it('matches when one $or alternative holds', () => {
    expect(explain({ filter: { $or: [{ data: { currency: ['USD'] } }, { data: { amount: [50] } }] } })).toEqual({ matched: true });
  });

  it('names the field that breaks array consistency when each field holds alone', () => {
    // sku "a" has qty 1 and sku "b" has qty 5: no single item is sku "a" with qty 5.
    const explanation = explain({ filter: { data: { items: { sku: ['a'], qty: [5] } } } });
    expect(explanation).toEqual({
      matched: false,
      clause: {
        path: '/subscriptions/3/filter/data/items/sku',
        field: 'data.items.sku',
        expected: '"a"',
        actual: '["a", "b"]',
        message: 'data.items.sku is ["a", "b"], but no value expected ("a") sits in the same array element as the values matched for data.items.qty.',
      },
    });
    expect(explain({ filter: { data: { items: { sku: ['b'], qty: [5] } } } })).toEqual({ matched: true });
  });

  it('works without a base path and on a non-object event', () => {
    expect(explainMatch({ id: 's', filter: { type: ['x'] } }, 'not an event')).toEqual({
      matched: false,
      clause: { path: '/filter/type', field: 'type', expected: '"x"', actual: 'absent', message: 'type is absent, expected "x".' },
    });
  });

  it('refuses an invalid pattern as the matcher does', () => {
    expect(() => explain({ filter: { data: { amount: [{ numeric: ['>', 'ten'] }] } } })).toThrow(InvalidPatternError);
    expect(() => explain({ types: ['a..b'] })).toThrow(InvalidPatternError);
  });
});
