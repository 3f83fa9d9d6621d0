import fc from 'fast-check';
import { SubscriptionMatcher, validatePattern } from '../../../src/routing';
import { eventValue, patternNear, patternValue, subjectPattern, subjectText } from '../../helpers/routing/arbitraries';
import { referenceMatch, type ReferenceSubscription } from '../../helpers/routing/referenceMatcher';

const RUNS = Number(process.env.ROUTING_PROPERTY_RUNS ?? 200);

const subscription: fc.Arbitrary<Omit<ReferenceSubscription, 'id'>> = fc.record(
  {
    types: fc.array(subjectPattern, { maxLength: 2 }),
    subjects: fc.array(subjectPattern, { maxLength: 2 }),
    filter: patternValue,
  },
  { requiredKeys: [] },
);

const cloudEvent = fc
  .tuple(eventValue, fc.option(subjectText, { freq: 4 }), fc.option(subjectText, { freq: 4 }))
  .map(([event, type, subject]) => {
    const result: Record<string, unknown> = { ...event };
    if (type !== null) result.type = type;
    if (subject !== null) result.subject = subject;
    return result;
  });

/** Events with subscriptions whose filters are built from them, so that about half of them match. */
const eventsWithNearSubscriptions = fc.array(cloudEvent, { minLength: 1, maxLength: 4 }).chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.array(
      fc.oneof(
        fc.constantFrom(...events).chain((event) => patternNear(event)).map((filter) => ({ filter })),
        subscription,
      ),
      { minLength: 1, maxLength: 6 },
    ),
  ),
);

describe('SubscriptionMatcher against the reference evaluator', () => {
  it('generates valid patterns only', () => {
    fc.assert(
      fc.property(patternValue, (pattern) => {
        expect(validatePattern(pattern)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('matches parsed events exactly as the reference does', () => {
    fc.assert(
      fc.property(fc.array(subscription, { minLength: 1, maxLength: 6 }), fc.array(cloudEvent, { minLength: 1, maxLength: 5 }), (specs, events) => {
        const subscriptions = specs.map((spec, i) => ({ id: `s${i}`, ...spec }));
        const matcher = new SubscriptionMatcher(subscriptions);
        for (const event of events) {
          expect(matcher.match(event)).toEqual(referenceMatch(subscriptions, event));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('matches events given as JSON text exactly as it matches them parsed', () => {
    fc.assert(
      fc.property(fc.array(subscription, { minLength: 1, maxLength: 6 }), fc.array(cloudEvent, { minLength: 1, maxLength: 5 }), (specs, events) => {
        const subscriptions = specs.map((spec, i) => ({ id: `s${i}`, ...spec }));
        const matcher = new SubscriptionMatcher(subscriptions);
        for (const event of events) {
          const expected = referenceMatch(subscriptions, event);
          expect(matcher.matchJson(JSON.stringify(event))).toEqual(expected);
          expect(matcher.matchJson(JSON.stringify(event, null, 2))).toEqual(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('matches events against filters built from them exactly as the reference does', () => {
    let matches = 0;
    let checks = 0;
    fc.assert(
      fc.property(eventsWithNearSubscriptions, ([events, specs]) => {
        const subscriptions = specs.map((spec, i) => ({ id: `s${i}`, ...spec }));
        const matcher = new SubscriptionMatcher(subscriptions);
        for (const event of events) {
          const expected = referenceMatch(subscriptions, event);
          matches += expected.length;
          checks += subscriptions.length;
          expect(matcher.match(event)).toEqual(expected);
          expect(matcher.matchJson(JSON.stringify(event))).toEqual(expected);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // The generator is only useful if it produces both outcomes often.
    expect(matches / checks).toBeGreaterThan(0.15);
    expect(matches / checks).toBeLessThan(0.85);
  });

  it('gives each subscription the same answer alone as among many', () => {
    fc.assert(
      fc.property(fc.array(subscription, { minLength: 2, maxLength: 8 }), cloudEvent, (specs, event) => {
        const subscriptions = specs.map((spec, i) => ({ id: `s${i}`, ...spec }));
        const together = new SubscriptionMatcher(subscriptions).match(event);
        const alone = subscriptions.filter((s) => new SubscriptionMatcher([s]).match(event).length === 1).map((s) => s.id);
        expect(together).toEqual(alone);
      }),
      { numRuns: RUNS },
    );
  });
});
