import fc from 'fast-check';
import { InvalidPatternError, matchesSubject, SubjectPatternSet, validateSubjectPattern } from '../../../src/routing';
import { subjectPattern, subjectText } from '../../helpers/routing/arbitraries';
import { referenceMatchesSubject } from '../../helpers/routing/referenceMatcher';

describe('matchesSubject (NATS rules)', () => {
  it('matches literal tokens exactly', () => {
    expect(matchesSubject('com.example.orders', 'com.example.orders')).toBe(true);
    expect(matchesSubject('com.example.orders', 'com.example.order')).toBe(false);
    expect(matchesSubject('com.example', 'com.example.orders')).toBe(false);
    expect(matchesSubject('com.example.orders', 'com.example')).toBe(false);
  });

  it('lets * stand for exactly one token', () => {
    expect(matchesSubject('com.*.orders', 'com.example.orders')).toBe(true);
    expect(matchesSubject('com.example.*', 'com.example.orders')).toBe(true);
    expect(matchesSubject('com.example.*', 'com.example.orders.created')).toBe(false);
    expect(matchesSubject('com.example.*', 'com.example')).toBe(false);
    expect(matchesSubject('*', 'com')).toBe(true);
    expect(matchesSubject('*', 'com.example')).toBe(false);
  });

  it('lets > stand for one or more trailing tokens', () => {
    expect(matchesSubject('com.example.>', 'com.example.orders')).toBe(true);
    expect(matchesSubject('com.example.>', 'com.example.orders.created.v1')).toBe(true);
    expect(matchesSubject('com.example.>', 'com.example')).toBe(false);
    expect(matchesSubject('>', 'anything.at.all')).toBe(true);
    expect(matchesSubject('PUBLIC.forms.>', 'PUBLIC.forms.submission.created')).toBe(true);
    expect(matchesSubject('*.forms.>', 'PRIVATE.forms.x')).toBe(true);
  });

  it('treats * and > inside a longer token as ordinary characters', () => {
    expect(matchesSubject('com.ex*', 'com.ex*')).toBe(true);
    expect(matchesSubject('com.ex*', 'com.example')).toBe(false);
    expect(matchesSubject('com.a>', 'com.a>')).toBe(true);
  });

  it('matches nothing with an invalid pattern', () => {
    expect(matchesSubject('com.>.orders', 'com.x.orders')).toBe(false);
    expect(matchesSubject('com..orders', 'com..orders')).toBe(false);
    expect(matchesSubject('', '')).toBe(false);
  });

  it('agrees with the reference on generated patterns and subjects', () => {
    fc.assert(
      fc.property(subjectPattern, subjectText, (pattern, value) => {
        expect(matchesSubject(pattern, value)).toBe(referenceMatchesSubject(pattern, value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateSubjectPattern', () => {
  it('explains what is wrong', () => {
    expect(validateSubjectPattern('a.b.>')).toBeUndefined();
    expect(validateSubjectPattern('a.>.c')).toBe('">" must be the last token ("a.>.c")');
    expect(validateSubjectPattern('a..c')).toBe('has an empty token at position 1 ("a..c")');
    expect(validateSubjectPattern('.a')).toBe('has an empty token at position 0 (".a")');
    expect(validateSubjectPattern('')).toBe('must not be empty');
    expect(validateSubjectPattern(5)).toBe('must be a string');
  });
});

describe('SubjectPatternSet', () => {
  it('finds every pattern a value matches, whatever the number of patterns', () => {
    const patterns = ['com.example.orders.*', 'com.example.>', 'com.*.orders.created', 'org.>', 'com.example.orders.created'];
    const set = new SubjectPatternSet(patterns);
    expect(set.matchingIndexes('com.example.orders.created')).toEqual([0, 1, 2, 4]);
    expect(set.matchingIndexes('org.x')).toEqual([3]);
    expect(set.matches('net.x')).toBe(false);
  });

  it('agrees with matching the patterns one by one', () => {
    fc.assert(
      fc.property(fc.array(subjectPattern, { maxLength: 12 }), subjectText, (patterns, value) => {
        const expected = patterns.flatMap((pattern, i) => (matchesSubject(pattern, value) ? [i] : []));
        expect(new SubjectPatternSet(patterns).matchingIndexes(value)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses invalid patterns, listing each', () => {
    expect(() => new SubjectPatternSet(['a.>', 'b.>.c', ''])).toThrow(InvalidPatternError);
    try {
      new SubjectPatternSet(['a.>', 'b.>.c', '']);
    } catch (error) {
      expect((error as InvalidPatternError).errors.map((e) => e.path)).toEqual(['[1]', '[2]']);
    }
  });
});
