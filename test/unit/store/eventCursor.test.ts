import fc from 'fast-check';
import { decodeEventCursor, encodeEventCursor, queryFingerprint } from '../../../src/store/eventCursor';
import { InvalidQueryError } from '../../../src/store/errors';

const position = fc.record({ timeKey: fc.string({ minLength: 1 }), pk: fc.string({ minLength: 1, unit: 'grapheme' }) });
const query = fc.record({
  patterns: fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }),
  source: fc.option(fc.string(), { nil: undefined }),
  from: fc.option(fc.string(), { nil: undefined }),
  to: fc.option(fc.string(), { nil: undefined }),
});

describe('eventCursor', () => {
  it('decodes what it encodes, for the query it was issued for', () => {
    fc.assert(
      fc.property(position, fc.boolean(), query, (after, descending, q) => {
        const fingerprint = queryFingerprint(q);
        const text = encodeEventCursor({ after, descending, fingerprint });
        expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeEventCursor(text, fingerprint)).toEqual({ after, descending, fingerprint });
      }),
    );
  });

  it('fingerprints ignore the order of patterns but not the source or window', () => {
    const base = { patterns: ['order.*', 'invoice.sent'], source: '/shop', from: '2026-01-01T00:00:00.000Z' };
    expect(queryFingerprint({ ...base, patterns: ['invoice.sent', 'order.*'] })).toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, source: '/shop2' })).not.toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, source: undefined })).not.toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, to: base.from })).not.toBe(queryFingerprint(base));
    expect(queryFingerprint({ ...base, patterns: ['order.*'] })).not.toBe(queryFingerprint(base));
  });

  it('refuses a cursor issued for another query', () => {
    const text = encodeEventCursor({ after: { timeKey: 't', pk: 'p' }, descending: false, fingerprint: queryFingerprint({ patterns: ['a'] }) });
    expect(() => decodeEventCursor(text, queryFingerprint({ patterns: ['b'] }))).toThrow(/belongs to another query/);
  });

  it('refuses any other string with InvalidQueryError on the cursor field, never another error', () => {
    const fingerprint = queryFingerprint({ patterns: ['>'] });
    const anyText = fc.oneof(fc.string(), fc.string().map((s) => Buffer.from(s).toString('base64url')), fc.json().map((j) => Buffer.from(j).toString('base64url')));
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          decodeEventCursor(text, fingerprint);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidQueryError);
          expect((error as InvalidQueryError).field).toBe('cursor');
          return;
        }
        throw new Error(`accepted ${JSON.stringify(text)}`);
      }),
    );
  });
});
