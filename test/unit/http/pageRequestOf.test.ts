import fc from 'fast-check';
import { HttpError } from '../../../src/http/HttpError';
import { pageRequestOf, PAGE_LIMIT } from '../../../src/http/pageRequestOf';
import { validateSubjectPattern } from '../../../src/routing/validateSubjectPattern';

describe('pageRequestOf', () => {
  it('defaults to every type, 20 events, oldest first, no cursor', () => {
    expect(pageRequestOf({}, { order: 'param' })).toEqual({ query: { types: ['>'], limit: PAGE_LIMIT.default, descending: false }, backwards: false });
  });

  it('reads every parameter of GET /events', () => {
    expect(
      pageRequestOf(
        { type: 'order.*,invoice.paid', source: '/shop', from: '2026-12-01T00:00:00+10:00', to: '2026-12-02T00:00:00Z', limit: '500', before: 'c', order: 'newest' },
        { order: 'param' },
      ),
    ).toEqual({
      query: {
        types: ['order.*', 'invoice.paid'],
        source: '/shop',
        from: new Date('2026-11-30T14:00:00Z'),
        to: new Date('2026-12-02T00:00:00Z'),
        limit: 500,
        descending: true,
        cursor: 'c',
      },
      backwards: true,
    });
  });

  it('takes a feed’s patterns from its path, always newest first, and refuses type and order parameters there', () => {
    expect(pageRequestOf({ after: 'c' }, { typesFromPath: 'order.>', order: 'newest' })).toEqual({
      query: { types: ['order.>'], limit: 20, descending: true, cursor: 'c' },
      backwards: false,
    });
    for (const name of ['type', 'order']) {
      expect(() => pageRequestOf({ [name]: 'x' }, { typesFromPath: '>', order: 'newest' })).toThrow(`query parameter ${name} is not a parameter of this route`);
    }
  });

  const names = fc.constantFrom('type', 'source', 'from', 'to', 'limit', 'after', 'before', 'order', 'other', 'LIMIT');
  const values = fc.oneof(
    fc.string(),
    fc.constantFrom('>', 'a.*', 'a..b', '>.a', 'a,b', '0', '1', '500', '501', '-1', '1e2', ' 5', 'oldest', 'newest', '2026-12-01T00:00:00Z', '2026-02-30T00:00:00Z', ''),
  );

  it('returns a query the store accepts, or a 400 invalid_request naming one of the parameters given', () => {
    fc.assert(
      fc.property(fc.dictionary(names, values, { maxKeys: 6 }), fc.boolean(), (params, feed) => {
        const options = feed ? { typesFromPath: 'a.>', order: 'newest' as const } : { order: 'param' as const };
        let request;
        try {
          request = pageRequestOf(params, options);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          const { status, code, details } = error as HttpError;
          expect({ status, code }).toEqual({ status: 400, code: 'invalid_request' });
          expect(Object.keys(params)).toContain(details![0].field);
          return;
        }
        const { query } = request;
        query.types.forEach((pattern) => expect(validateSubjectPattern(pattern)).toBeUndefined());
        expect(Number.isInteger(query.limit) && query.limit >= 1 && query.limit <= PAGE_LIMIT.max).toBe(true);
        if (query.from instanceof Date) expect(Number.isFinite(query.from.getTime())).toBe(true);
        if (query.from instanceof Date && query.to instanceof Date) expect(query.to.getTime()).toBeGreaterThan(query.from.getTime());
        expect(request.backwards).toBe(params.before !== undefined);
        expect(query.cursor).toBe(params.after ?? params.before);
      }),
      { numRuns: 1000 },
    );
  });
});
