import fc from 'fast-check';
import { parseSourceSortKey, sourceSortKey } from '../../../src/store/TypeCatalog';
import { TYPE_BUCKETS } from '../../../src/store/constants';
import { typeBucketKey, typeBucketKeysOf, typeOfBucketKey } from '../../../src/store/typeBucketKey';

describe('the catalog sort key of a source and type', () => {
  it('parses back to its source and type, whatever characters they hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (source, type) => {
        expect(parseSourceSortKey(sourceSortKey(source, type))).toEqual({ source, type });
      }),
    );
  });

  it("one source's prefix never starts another source's keys", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, type) => {
        fc.pre(a !== b);
        expect(sourceSortKey(b, type).startsWith(JSON.stringify(a))).toBe(false);
      }),
    );
  });
});

describe('typeBucketKey', () => {
  it('is stable, one of the type\'s buckets, and gives the type back (even one holding #)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.string(), (type, pk) => {
        const tb = typeBucketKey(type, pk)!;
        expect(typeBucketKey(type, pk)).toBe(tb);
        expect(typeBucketKeysOf(type)).toContain(tb);
        expect(typeOfBucketKey(tb)).toBe(type);
      }),
    );
    expect(typeBucketKeysOf('order.created')).toHaveLength(TYPE_BUCKETS);
  });

  it('leaves a type over 1 KB unindexed', () => {
    expect(typeBucketKey('t'.repeat(1024), '["s","i"]')).toEqual(expect.any(String));
    expect(typeBucketKey('t'.repeat(1025), '["s","i"]')).toBeUndefined();
  });
});
