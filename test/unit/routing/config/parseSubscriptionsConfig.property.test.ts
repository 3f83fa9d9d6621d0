import fc from 'fast-check';
import { parseSubscriptionsConfig } from '../../../../src/routing/config/parseSubscriptionsConfig';
import { goodFile, goodPageUpFile, WHSEC } from './fixtures';

/** Holds for every answer: ok with a config, or refused with at least one error, each a path and a message. */
function wellFormed(result: ReturnType<typeof parseSubscriptionsConfig>): boolean {
  if (result.ok) return Array.isArray(result.config.subscriptions);
  return (
    result.errors.length > 0 &&
    result.errors.every((error) => typeof error.message === 'string' && error.message !== '' && (error.path === '' || error.path.startsWith('/')))
  );
}

/** Replaces the value at a random place of `root` (an object or array tree) with `value`. */
function replaceSomewhere(root: unknown, choices: number[], value: unknown): unknown {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const choice of choices) {
    if (typeof node !== 'object' || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[choice % keys.length];
    if (typeof node[key] !== 'object' || node[key] === null || choice % 3 === 0) {
      node[key] = value;
      return copy;
    }
    node = node[key];
  }
  return copy;
}

describe('parseSubscriptionsConfig (properties)', () => {
  const env = { SWITCHYARD_DEFAULT_WEBHOOK_SECRET: WHSEC };

  it('never throws on arbitrary JSON, and answers ok or errors', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => wellFormed(parseSubscriptionsConfig(json, { env }))),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary objects with a subscriptions array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.jsonValue(), (subscriptions, local) =>
        wellFormed(parseSubscriptionsConfig({ subscriptions, local, defaults: local }, { env })),
      ),
      { numRuns: 300 },
    );
  });

  it('never throws when any part of a good file (either format) is replaced by arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.jsonValue({ maxDepth: 3 }),
        (pageUp, choices, value) => wellFormed(parseSubscriptionsConfig(replaceSomewhere(pageUp ? goodPageUpFile() : goodFile(), choices, value), { env })),
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary objects with hostile keys (__proto__, constructor)', () => {
    const hostile = JSON.parse('{"subscriptions":[{"id":"a","__proto__":{"x":1},"target":{"webhook":{"url":"https://a.example","secret":{"__proto__":"x"},"headers":{"__proto__":"x"}}}}],"local":{"functions":{"__proto__":"./x.js"}}}');
    expect(wellFormed(parseSubscriptionsConfig(hostile, { env }))).toBe(true);
    const headersOnly = JSON.parse(`{"subscriptions":[{"id":"a","target":{"webhook":{"url":"https://a.example","secret":"${WHSEC}","headers":{"__proto__":"x"}}}}]}`);
    const result = parseSubscriptionsConfig(headersOnly, { env });
    // An own "__proto__" header stays an own property; it never becomes a prototype.
    expect(result.ok && Object.getPrototypeOf((result.config.subscriptions[0].target as any).webhook.headers)).toBe(Object.prototype);
  });
});
