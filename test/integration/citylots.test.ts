/**
 * Event Ruler's CityLots benchmark as a correctness test: on the synthetic stand-in file (generated
 * and cached on first use, checked against its published sha256), every rule of rules.json must
 * match exactly as many events as Event Ruler 2.0.1 does, and the combined runs must total as many
 * matches.
 */
import {
  cityLotsSubscriptions,
  countMatches,
  loadCityLotsEvents,
  loadCityLotsExpected,
  loadCityLotsRules,
} from '../../bench/matcher';
import { SubscriptionMatcher } from '../../src/routing';

const rules = loadCityLotsRules();
const expected = loadCityLotsExpected();
let events: string[] = [];

beforeAll(async () => {
  // Generating the file takes about 30 s (longer on a loaded machine); later runs read the cache.
  events = await loadCityLotsEvents();
}, 300_000);

describe('CityLots (Event Ruler benchmark) match counts', () => {
  it('reads the 213,068 synthetic events', () => {
    expect(events).toHaveLength(213_068);
  });

  it.each(Object.keys(rules.groups))('matches each %s rule as often as Event Ruler', (group) => {
    const matcher = new SubscriptionMatcher(cityLotsSubscriptions(rules, [group]));
    const counts = [...countMatches(matcher, events).values()];
    expect(counts).toEqual(expected.groups[group].matches);
  }, 120_000);

  it.each(Object.entries(rules.combined_runs))('totals as many matches as Event Ruler in %s', (combo, groups) => {
    const matcher = new SubscriptionMatcher(cityLotsSubscriptions(rules, groups));
    const total = [...countMatches(matcher, events).values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBe(expected.groups[combo].total_matches);
  }, 120_000);

  it('matches the events parsed exactly as it matches their JSON text', () => {
    const matcher = new SubscriptionMatcher(cityLotsSubscriptions(rules, Object.keys(rules.groups)));
    for (let i = 0; i < events.length; i += 97) {
      expect(matcher.match(JSON.parse(events[i]))).toEqual(matcher.matchJson(events[i]));
    }
  }, 120_000);
});
