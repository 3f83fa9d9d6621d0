import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import fc from 'fast-check';
import precompiled from '../../../../src/routing/config/subscriptionsSchemaValidator';
import { schemaErrors, validateSubscriptionsSchema } from '../../../../src/routing/config/validateSubscriptionsSchema';
import {
  compileSubscriptionsValidator,
  subscriptionsValidatorSource,
  VALIDATOR_FILE,
} from '../../../../tools/generate-subscriptions-validator';
import { designExample, goodFile, goodPageUpFile, JWE_KEY, WHSEC } from './fixtures';

/** ajv compiling schema/subscriptions.schema.json now, with the options the generated module was made with. */
const atRunTime = compileSubscriptionsValidator();

/** What an ajv error says, without the schema and data it points at (those are compared through the report). */
function described(errors: ErrorObject[] | null | undefined): string {
  return JSON.stringify(
    (errors ?? []).map(({ keyword, instancePath, schemaPath, params, message, propertyName }) => ({ keyword, instancePath, schemaPath, params, message, propertyName })),
  );
}

/** Every document is judged the same by both: the same errors (raw and as reported), in the same order. */
function expectSameJudgement(document: unknown): void {
  const expected = atRunTime(document);
  const rawExpected = described(atRunTime.errors);
  expect(precompiled(document)).toBe(expected);
  expect(described(precompiled.errors)).toBe(rawExpected);
  expect(validateSubscriptionsSchema(document)).toEqual(schemaErrors(atRunTime, document));
}

/** Sets, deletes or adds a member somewhere in a copy of `root`, steered by `choices`. */
function mutate(root: unknown, choices: number[], op: 'set' | 'delete' | 'add', value: unknown, name: string): unknown {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const choice of choices) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[choice % keys.length];
    const child = node[key];
    if (typeof child !== 'object' || child === null || choice % 7 === 0) {
      if (op === 'set') node[key] = value;
      else if (op === 'delete') {
        if (Array.isArray(node)) node.splice(Number(key), 1);
        else delete node[key];
      } else if (!Array.isArray(node)) node[name] = value;
      else node.push(value);
      return copy;
    }
    node = child;
  }
  return copy;
}

/** Values that break the rules the schema has: types, lengths, patterns, formats, enums, limits. */
const AWKWARD_VALUES: unknown[] = [
    '',
    ' ',
    'not a url',
    'http://user:password@example.com/x',
    'https://example.com/hooks',
    'ftp://example.com',
    'arn:aws:lambda:ap-southeast-2:123456789012:function:x',
    'arn:aws:lambda:nowhere',
    'x'.repeat(257),
    'x'.repeat(8193),
    `https://example.com/${'x'.repeat(2048)}`,
    'BAD ID',
    'com.example.>',
    WHSEC,
    JWE_KEY,
    'jwe',
    'cryptr',
    'binary',
    'structured',
    'encrypted',
    'metadata',
    'full',
    'RequestResponse',
    'Webhook',
    'AuthenticatedWebhook',
    'Lambda',
    0,
    -1,
    1.5,
    5,
    101,
    301,
    1001,
    10001,
    1e9,
    true,
    null,
    [],
    {},
    { env: 'X' },
    { env: '' },
    { secretsManager: 'a#b' },
    { ssm: 'no-slash' },
    { numeric: ['>', 1] },
    [{ prefix: '/x' }],
    Array.from({ length: 101 }, (_, i) => `t${i}`),
    ['a', 'b', 'c', 'd', 'e', 'f'],
    Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`H-${i}`, 'v'])),
];
const awkwardValue = fc.oneof(fc.constantFrom(...AWKWARD_VALUES), fc.jsonValue({ maxDepth: 2 }));

/** Names to add: typos and other casings of real ones, PageUp names, and nonsense. */
const AWKWARD_NAMES = ['url', 'Url', 'secert', 'Type', 'type', 'endpoint', 'Endpoint', 'LambdaArn', 'arn', 'payLoad', 'zzz', 'X-Tenant', 'bad name', '$schema'];
const awkwardName = fc.constantFrom(...AWKWARD_NAMES);

const FIXTURES: (() => unknown)[] = [designExample, goodFile, goodPageUpFile];

/** The path (keys) of every member of `node`, containers included, depth first. */
function memberPaths(node: unknown, at: string[] = []): string[][] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, child]) => [[...at, key], ...memberPaths(child, [...at, key])]);
}

/** A copy of `root` with the member at `path` set to `value`, or deleted when `value` is `undefined`. */
function withMember(root: unknown, path: string[], value: unknown): unknown {
  const copy: any = structuredClone(root);
  const parent = path.slice(0, -1).reduce((node, key) => node[key], copy);
  const key = path[path.length - 1];
  if (value !== undefined) parent[key] = structuredClone(value);
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return copy;
}

describe('src/routing/config/subscriptionsSchemaValidator.js (ajv standalone code)', () => {
  it('is what tools/generate-subscriptions-validator.ts makes of the schema now (regenerate when this fails)', () => {
    const committed = readFileSync(VALIDATOR_FILE, 'utf8');
    const fresh = subscriptionsValidatorSource();
    if (committed !== fresh) {
      throw new Error(
        'src/routing/config/subscriptionsSchemaValidator.js is stale: schema/subscriptions.schema.json (or ajv) changed ' +
          'since it was generated. Run `npx tsx tools/generate-subscriptions-validator.ts` and commit the result.',
      );
    }
  });

  it('accepts what ajv compiling the schema at run time accepts', () => {
    for (const document of [designExample(), goodFile(), goodPageUpFile(), { subscriptions: [] }, []]) expectSameJudgement(document);
  });

  it('reports the same errors as ajv compiling the schema at run time, for every member of the fixtures broken each way', () => {
    let documents = 0;
    for (const make of FIXTURES) {
      const root = make();
      for (const path of memberPaths(root)) {
        for (const value of [...AWKWARD_VALUES, undefined]) {
          expectSameJudgement(withMember(root, path, value));
          documents++;
        }
        const member = path.reduce((node: any, key) => node[key], root);
        if (typeof member === 'object' && member !== null && !Array.isArray(member)) {
          for (const name of AWKWARD_NAMES) expectSameJudgement(withMember(root, [...path, name], 'x'));
        }
      }
    }
    expect(documents).toBeGreaterThan(1000);
  });

  it('reports the same errors as ajv compiling the schema at run time, for documents broken in several places', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(
          fc.record({
            choices: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
            op: fc.constantFrom('set' as const, 'set' as const, 'delete' as const, 'add' as const),
            value: awkwardValue,
            name: awkwardName,
          }),
          { minLength: 1, maxLength: 4 },
        ),
        (make, mutations) => {
          let document: unknown = make();
          for (const m of mutations) document = mutate(document, m.choices, m.op, m.value, m.name);
          expectSameJudgement(document);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reports the same errors for documents that are not files at all', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (document) => expectSameJudgement(document)), { numRuns: 200 });
  });
});
