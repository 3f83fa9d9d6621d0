import fc from 'fast-check';
import { laneOf, redriveLaneOf } from '../../../../src/delivery/ledger';
import { attemptSk, attemptsPk, deadSk, dueAtKey, dueBucketOf, lanePk, sequenceSk } from '../../../../src/delivery/ledger/keys';
import { webhookIdOf } from '../../../../src/delivery/webhookIdOf';

const ordered = { delivery: { ordered: true } };
const unordered = { delivery: { ordered: false } };

describe('laneOf', () => {
  it('gives an ordered subscription one lane per partition key', () => {
    expect(laneOf(ordered, { source: '/shop', id: '1' }, 'customer-7')).toBe('key:customer-7');
    expect(laneOf(ordered, { source: '/other', id: '2' }, 'customer-7')).toBe('key:customer-7');
  });

  it('gives every event of an unordered subscription a lane of its own, stable per source + id', () => {
    const lane = laneOf(unordered, { source: '/shop', id: '1' }, 'customer-7');
    expect(lane).toMatch(/^event:[A-Za-z0-9_-]{43}$/);
    expect(laneOf(unordered, { source: '/shop', id: '1' }, 'another-key')).toBe(lane);
    expect(laneOf(unordered, { source: '/shop', id: '2' }, 'customer-7')).not.toBe(lane);
  });

  it('never gives two different source + id pairs the same unordered lane, whatever they contain', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (s1, i1, s2, i2) => {
        fc.pre(s1 !== s2 || i1 !== i2);
        return laneOf(unordered, { source: s1, id: i1 }, 'k') !== laneOf(unordered, { source: s2, id: i2 }, 'k');
      }),
    );
    expect(laneOf(unordered, { source: 'a/b', id: 'c' }, 'k')).not.toBe(laneOf(unordered, { source: 'a', id: 'b/c' }, 'k'));
  });

  it('derives a redrive lane from where the dead letter died: stable, and apart from every other', () => {
    expect(redriveLaneOf('key:customer-7', '42')).toBe(redriveLaneOf('key:customer-7', '42'));
    expect(redriveLaneOf('key:customer-7', '42')).toMatch(/^redrive:/);
    expect(redriveLaneOf('key:customer-7', '42')).not.toBe(redriveLaneOf('key:customer-7', '43'));
    const once = redriveLaneOf('key:customer-7', '42');
    expect(redriveLaneOf(once, '42')).not.toBe(once);
  });
});

describe('ledger keys', () => {
  it('pads sequences so that string order is stream order', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), fc.bigInt({ min: 0n, max: 10n ** 60n }), (a, b) => {
        const [ka, kb] = [sequenceSk(a.toString()), sequenceSk(b.toString())];
        return Math.sign(Number(a - b)) === (ka < kb ? -1 : ka > kb ? 1 : 0) && ka.length === 64;
      }),
    );
  });

  it('pads due times so that string order is time order', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 47 }), fc.nat({ max: 2 ** 47 }), (a, b) => (dueAtKey(a) < dueAtKey(b)) === a < b),
    );
  });

  it('refuses what would corrupt a key', () => {
    expect(() => sequenceSk('12a')).toThrow(RangeError);
    expect(() => sequenceSk('1'.repeat(65))).toThrow(RangeError);
    expect(() => lanePk('orders#x', 'key:a')).toThrow(RangeError);
    expect(() => lanePk('orders', '')).toThrow(RangeError);
    expect(() => dueAtKey(-1)).toThrow(RangeError);
    expect(() => dueAtKey(1.5)).toThrow(RangeError);
  });

  it('keys lanes and dead letters readably', () => {
    expect(lanePk('orders', 'key:customer-7')).toBe('LANE#orders#key:customer-7');
    expect(deadSk('key:customer-7', '42')).toBe(`key:customer-7#${'0'.repeat(62)}42`);
  });

  it('puts a lane in one stable due bucket within range, and spreads lanes over all buckets', () => {
    const buckets = new Set<string>();
    for (let n = 0; n < 200; n++) {
      const bucket = dueBucketOf(`LANE#orders#key:${n}`, 8);
      expect(dueBucketOf(`LANE#orders#key:${n}`, 8)).toBe(bucket);
      buckets.add(bucket);
    }
    expect([...buckets].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it("keys a delivery's log by subscription and webhook id, its attempts in time then number order", () => {
    expect(attemptsPk('orders', webhookIdOf('/shop', 'a#b'))).toBe(`ATTEMPTS#orders#${webhookIdOf('/shop', 'a#b')}`);
    expect(() => attemptsPk('or#ders', 'evt_x')).toThrow(/without '#'/);
    expect(attemptSk(1_000, 2, 'tag')).toBe('000000000001000#0002#tag');
    expect(() => attemptSk(1_000, 0)).toThrow(/attempt must be a positive integer/);
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 45 }), fc.integer({ min: 1, max: 9999 }), fc.nat({ max: 2 ** 45 }), fc.integer({ min: 1, max: 9999 }), (at1, n1, at2, n2) => {
        const [a, b] = [attemptSk(at1, n1), attemptSk(at2, n2)];
        if (at1 !== at2 || n1 !== n2) expect(a < b).toBe(at1 < at2 || (at1 === at2 && n1 < n2));
        else expect(a).not.toBe(b);
      }),
    );
  });
});
