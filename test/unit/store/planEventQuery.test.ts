import fc from 'fast-check';
import { InvalidQueryError } from '../../../src/store/errors';
import { encodeEventCursor } from '../../../src/store/eventCursor';
import { planEventQuery } from '../../../src/store/planEventQuery';
import type { EventQuery } from '../../../src/store/types';

function refusal(query: EventQuery): InvalidQueryError {
  try {
    planEventQuery(query);
  } catch (error) {
    if (error instanceof InvalidQueryError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('planEventQuery', () => {
  it('defaults to every type, 100 events, oldest first', () => {
    expect(planEventQuery({})).toMatchObject({ patterns: ['>'], exactTypes: [], wildcards: ['>'], limit: 100, descending: false });
  });

  it('splits exact types from patterns, distinct and sorted, and normalises times to UTC ISO', () => {
    const plan = planEventQuery({ types: ['order.*', 'invoice.sent', 'order.*', 'a.>'], from: '2026-01-01T10:00:00+10:00', to: new Date(Date.UTC(2026, 0, 2)) });
    expect(plan).toMatchObject({
      patterns: ['a.>', 'invoice.sent', 'order.*'],
      exactTypes: ['invoice.sent'],
      wildcards: ['a.>', 'order.*'],
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
  });

  it("takes the cursor's direction over `descending`", () => {
    const plan = planEventQuery({ types: 'a' });
    const cursor = encodeEventCursor({ after: { timeKey: 'k', pk: 'p' }, descending: true, fingerprint: plan.fingerprint });
    expect(planEventQuery({ types: 'a', cursor, descending: false })).toMatchObject({ descending: true, after: { timeKey: 'k', pk: 'p' } });
  });

  it('accepts any valid NATS pattern and refuses any other string, naming types', () => {
    const token = fc.oneof(fc.constantFrom('*', '>', ''), fc.stringMatching(/^[a-z#$*>-]{1,4}$/));
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), (tokens) => {
        const pattern = tokens.join('.');
        const valid = pattern.length > 0 && tokens.every((t, i) => t !== '' && (t !== '>' || i === tokens.length - 1));
        if (valid) expect(planEventQuery({ types: pattern }).patterns).toEqual([pattern]);
        else expect(refusal({ types: pattern }).field).toBe('types');
      }),
    );
  });

  it('accepts a time exactly when it parses to a 4-digit year, naming from or to otherwise', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'NaN' : d.toISOString()))), fc.constantFrom('from', 'to'), (text, field) => {
        const ms = Date.parse(text);
        const ok = !Number.isNaN(ms) && /^\d{4}-/.test(new Date(ms).toISOString());
        if (ok) expect(planEventQuery({ [field]: text })[field as 'from' | 'to']).toBe(new Date(ms).toISOString());
        else expect(refusal({ [field]: text }).field).toBe(field);
      }),
    );
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: Number.NaN }, 'limit'],
    [{ limit: '10' as unknown as number }, 'limit'],
    [{ source: 7 as unknown as string }, 'source'],
    [{ types: [7] as unknown as string[] }, 'types'],
    [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
    [{ cursor: 'eyJ' }, 'cursor'],
  ] as [EventQuery, string][])('refuses %j naming %s', (query, field) => {
    expect(refusal(query).field).toBe(field);
  });
});
