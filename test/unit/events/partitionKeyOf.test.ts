import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { partitionKeyOf } from '../../../src/events/partitionKeyOf';
import { goodEvent, goodEventWithout, plainText } from './fixtures';

describe('partitionKeyOf', () => {
  it('uses the partitionkey extension first', () => {
    expect(partitionKeyOf(goodEvent({ partitionkey: 'customer-9' }))).toBe('customer-9');
  });

  it('falls back to subject when there is no partitionkey', () => {
    expect(partitionKeyOf(goodEvent())).toBe('order/1042');
  });

  it('falls back to source when there is neither partitionkey nor subject', () => {
    expect(partitionKeyOf(goodEventWithout('subject') as never)).toBe('/shop/orders');
  });

  it('skips an empty subject', () => {
    expect(partitionKeyOf(goodEvent({ subject: '' }))).toBe('/shop/orders');
  });

  it('keeps a key of exactly 256 characters', () => {
    const key = 'k'.repeat(256);
    expect(partitionKeyOf(goodEvent({ partitionkey: key }))).toBe(key);
  });

  it('replaces a key of 257 characters by sha256 and the hex digest of the key', () => {
    const key = 'k'.repeat(257);
    const expected = `sha256:${createHash('sha256').update(key).digest('hex')}`;
    expect(partitionKeyOf(goodEvent({ partitionkey: key }))).toBe(expected);
    expect(expected.length).toBeLessThanOrEqual(256);
  });

  it('counts UTF-16 code units, so 200 emoji (400 units) are hashed', () => {
    expect(partitionKeyOf(goodEvent({ subject: '😀'.repeat(200) }))).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('gives one key for every event of one long subject, and different keys for different subjects', () => {
    const long = `/tenants/${'x'.repeat(300)}`;
    expect(partitionKeyOf(goodEvent({ id: '1', subject: long }))).toBe(partitionKeyOf(goodEvent({ id: '2', subject: long })));
    expect(partitionKeyOf(goodEvent({ subject: `${long}a` }))).not.toBe(partitionKeyOf(goodEvent({ subject: `${long}b` })));
  });

  it('always returns 1..256 characters (property)', () => {
    fc.assert(
      fc.property(fc.option(plainText), fc.option(fc.string({ minLength: 1, maxLength: 600 })), (subject, partitionkey) => {
        const event = goodEvent({ subject: subject ?? undefined, partitionkey: partitionkey ?? undefined });
        const key = partitionKeyOf(event);
        return key.length >= 1 && key.length <= 256;
      }),
    );
  });
});
