import { checkPublishRights } from '../../../src/auth/checkPublishRights';
import { ForbiddenError } from '../../../src/auth/errors';
import { intersectSubjectPatterns } from '../../../src/auth/intersectSubjectPatterns';
import { matchesPrincipalArn } from '../../../src/auth/matchesPrincipalArn';
import { matchesSourcePrefix } from '../../../src/auth/matchesSourcePrefix';
import { checkMayRead, checkReadType, readableTypes } from '../../../src/auth/readableTypes';
import type { Principal } from '../../../src/auth/types';

const shop: Principal = { name: 'shop', publish: { sources: ['/shop', 'urn:shop:'], types: ['order.>', 'cart.*'] } };
const reader: Principal = { name: 'analytics', read: { types: ['order.>', 'cart.emptied'] } };

function refusal(run: () => void): ForbiddenError {
  try {
    run();
  } catch (error) {
    if (error instanceof ForbiddenError) return error;
    throw error;
  }
  throw new Error('expected a ForbiddenError');
}

describe('matchesSourcePrefix', () => {
  test.each([
    ['/shop', '/shop', true],
    ['/shop', '/shop/orders', true],
    ['/shop', '/shopping', false],
    ['/shop/', '/shop/x', true],
    ['/shop/', '/shop', false],
    ['urn:shop:', 'urn:shop:eu', true],
    ['*', 'anything', true],
    ['https://shop.example.com', 'https://shop.example.com.evil.test', false],
  ])('%s covers %s: %s', (prefix, source, expected) => expect(matchesSourcePrefix(prefix, source)).toBe(expected));
});

describe('matchesPrincipalArn', () => {
  test.each([
    ['arn:aws:iam::1:role/shop', 'arn:aws:sts::1:assumed-role/shop/session-1', true],
    ['arn:aws:iam::1:role/team/shop', 'arn:aws:sts::1:assumed-role/shop/s', true],
    ['arn:aws:iam::1:role/shop', 'arn:aws:sts::1:assumed-role/shopper/s', false],
    ['arn:aws:iam::1:role/shop', 'arn:aws:sts::2:assumed-role/shop/s', false],
    ['arn:aws:iam::1:user/*', 'arn:aws:iam::1:user/alice', true],
    ['arn:aws:iam::1:user/a.b', 'arn:aws:iam::1:user/aXb', false],
  ])('%s covers %s: %s', (pattern, arn, expected) => expect(matchesPrincipalArn(pattern, arn)).toBe(expected));
});

describe('intersectSubjectPatterns', () => {
  test.each([
    ['>', 'order.>', 'order.>'],
    ['order.*', '*.created', 'order.created'],
    ['order.>', '*.created', 'order.created'],
    ['order.*', 'order.created.eu', undefined],
    ['order.>', 'order', undefined],
    ['order.*', 'billing.>', undefined],
    ['*.*', 'a.>', 'a.*'],
    ['a.b', 'a.b', 'a.b'],
  ])('%s ∩ %s = %s', (a, b, expected) => {
    expect(intersectSubjectPatterns(a, b)).toBe(expected);
    expect(intersectSubjectPatterns(b, a)).toBe(expected);
  });
});

describe('checkPublishRights', () => {
  it('lets a batch through when every source and type is covered', () => {
    expect(() => checkPublishRights(shop, [{ source: '/shop/eu', type: 'order.created' }, { source: 'urn:shop:x', type: 'cart.emptied' }])).not.toThrow();
  });

  it('refuses the whole batch with forbidden_type, naming each event index outside the types', () => {
    const error = refusal(() =>
      checkPublishRights(shop, [
        { source: '/shop', type: 'order.created' },
        { source: '/shop', type: 'user.created' },
        { source: '/shop', type: 'cart.a.b' },
      ]),
    );
    expect(error.code).toBe('forbidden_type');
    expect(error.message).toBe('2 of 3 events are outside what shop may publish; nothing was accepted');
    expect(error.details).toEqual([
      { index: 1, field: 'type', message: 'shop may not publish type "user.created" (its types: order.>, cart.*)' },
      { index: 2, field: 'type', message: 'shop may not publish type "cart.a.b" (its types: order.>, cart.*)' },
    ]);
  });

  it('answers forbidden_source when any source is refused, listing type refusals too', () => {
    const error = refusal(() => checkPublishRights(shop, [{ source: '/billing', type: 'order.created' }, { source: '/shop', type: 'x' }]));
    expect(error.code).toBe('forbidden_source');
    expect(error.details?.map(({ index, field }) => [index, field])).toEqual([
      [0, 'source'],
      [1, 'type'],
    ]);
  });

  it('refuses a reader that tries to publish', () => {
    const error = refusal(() => checkPublishRights(reader, [{ source: '/shop', type: 'order.created' }]));
    expect(error.code).toBe('forbidden_source');
    expect(error.message).toBe('analytics is a reader and may not publish; nothing was accepted');
  });
});

describe('readableTypes', () => {
  it('narrows what is asked to what the reader may read', () => {
    expect(readableTypes(reader, ['>'])).toEqual(['order.>', 'cart.emptied']);
    expect(readableTypes(reader, ['order.*'])).toEqual(['order.*']);
    expect(readableTypes(reader, ['*.emptied'])).toEqual(['order.emptied', 'cart.emptied']);
    expect(readableTypes({ name: 'all', read: { types: ['>', 'order.>'] } }, ['>'])).toEqual(['>']);
  });

  it('refuses a read of nothing the reader may read with forbidden_type', () => {
    const error = refusal(() => readableTypes(reader, ['user.>']));
    expect(error.code).toBe('forbidden_type');
    expect(error.message).toBe('analytics may not read type user.> (its types: order.>, cart.emptied)');
  });

  it("refuses a producer's credential on read routes, saying what to use", () => {
    expect(refusal(() => checkMayRead(shop)).message).toBe('shop is a producer: read routes take a reader credential (switchyard producers add NAME --reader)');
    expect(() => checkReadType(reader, 'order.created')).not.toThrow();
    expect(refusal(() => checkReadType(reader, 'cart.filled')).code).toBe('forbidden_type');
  });
});
