import fc from 'fast-check';
import { explainMatch } from '../../../src/routing/explainMatch';
import { SubscriptionMatcher } from '../../../src/routing';
import { eventValue, patternNear, patternValue, subjectPattern, subjectText } from '../../helpers/routing/arbitraries';
import { referenceMatch, type ReferenceSubscription } from '../../helpers/routing/referenceMatcher';

const RUNS = Number(process.env.ROUTING_PROPERTY_RUNS ?? 300);

const subscription: fc.Arbitrary<Omit<ReferenceSubscription, 'id'>> = fc.record(
  { types: fc.array(subjectPattern, { maxLength: 2 }), subjects: fc.array(subjectPattern, { maxLength: 2 }), filter: patternValue },
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

/** Subscriptions mixing random filters with filters built from the events, so that many pairs match or narrowly miss. */
const eventsWithSubscriptions = fc.array(cloudEvent, { minLength: 1, maxLength: 4 }).chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.array(
      fc.oneof(
        fc.constantFrom(...events).chain((event) => patternNear(event)).map((filter) => ({ filter })),
        fc.constantFrom(...events).chain((event) =>
          fc.tuple(patternNear(event), fc.array(subjectPattern, { maxLength: 2 })).map(([filter, types]) => ({ filter, types })),
        ),
        subscription,
      ),
      { minLength: 1, maxLength: 6 },
    ),
  ),
);

describe('explainMatch agrees with the matcher', () => {
  it('says matched exactly when SubscriptionMatcher (and the reference evaluator) match, for every subscription and event', () => {
    let matched = 0;
    let pairs = 0;
    fc.assert(
      fc.property(eventsWithSubscriptions, ([events, specs]) => {
        const subscriptions = specs.map((spec, i) => ({ id: `s${i}`, ...spec }));
        const matcher = new SubscriptionMatcher(subscriptions);
        for (const event of events) {
          const matches = new Set(matcher.match(event));
          expect([...matches]).toEqual(referenceMatch(subscriptions, event));
          subscriptions.forEach((subscription, index) => {
            const explanation = explainMatch(subscription, event, { basePath: `/subscriptions/${index}` });
            expect(explanation.matched).toBe(matches.has(subscription.id));
            pairs++;
            if (explanation.matched) {
              matched++;
              return;
            }
            // A failing clause points into this subscription, at a part of it that exists.
            const { clause } = explanation;
            expect(clause.path.startsWith(`/subscriptions/${index}/`)).toBe(true);
            expect(pointsInto({ subscriptions }, clause.path)).toBe(true);
            expect(clause.message.length).toBeGreaterThan(0);
          });
        }
      }),
      { numRuns: RUNS },
    );
    // The generators must exercise both answers, or the agreement proves little.
    expect(matched).toBeGreaterThan(pairs * 0.1);
    expect(matched).toBeLessThan(pairs * 0.9);
  });
});

/** Whether a JSON Pointer resolves inside `document`. */
function pointsInto(document: unknown, pointer: string): boolean {
  let node: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}
