import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import schema from '../../../../schema/subscriptions.schema.json';
import { validateSubscriptionsSchema } from '../../../../src/routing/config/validateSubscriptionsSchema';
import { designExample, goodFile, goodPageUpFile } from './fixtures';

const ROOT = join(__dirname, '../../../..');

/** Every `properties` map of the schema, with its location; `if` conditions are tests, not properties. */
function propertyMaps(node: unknown, at = '#'): [string, Record<string, Record<string, unknown>>][] {
  if (typeof node !== 'object' || node === null || at.endsWith('/if')) return [];
  const own: [string, Record<string, Record<string, unknown>>][] =
    'properties' in node ? [[at, (node as { properties: Record<string, Record<string, unknown>> }).properties]] : [];
  return [...own, ...Object.entries(node).flatMap(([key, child]) => propertyMaps(child, `${at}/${key}`))];
}

describe('schema/subscriptions.schema.json', () => {
  it('is a valid draft 2020-12 schema that ajv compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false });
    ajv.addVocabulary(['errorMessage', 'patternErrorMessage']);
    ajv.addFormat('uri', true);
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('documents every property, so editors show help', () => {
    const missing = propertyMaps(schema).flatMap(([at, properties]) =>
      Object.entries(properties)
        .filter(([, property]) => typeof property.description !== 'string' || property.description === '')
        .map(([name]) => `${at}/properties/${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('is the $schema of the example subscriptions.json, which it accepts', () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'subscriptions.json'), 'utf8'));
    expect(example.$schema).toBe('./schema/subscriptions.schema.json');
    expect(validateSubscriptionsSchema(example)).toEqual([]);
  });

  it('accepts the DESIGN.md example, the good fixture and the PageUp fixture', () => {
    expect(validateSubscriptionsSchema(designExample())).toEqual([]);
    expect(validateSubscriptionsSchema(goodFile())).toEqual([]);
    expect(validateSubscriptionsSchema(goodPageUpFile())).toEqual([]);
  });

  it('judges an array by the PageUp rules and an object by the Switchyard rules, not both', () => {
    expect(validateSubscriptionsSchema([{ subscriptions: [] }])).toEqual([
      { path: '/0/Type', message: 'is required' },
      { path: '/0/BusinessEvent', message: 'is required' },
      { path: '/0/subscriptions', message: expect.stringMatching(/not an allowed property/) },
    ]);
    expect(validateSubscriptionsSchema({ Type: 'Webhook' })).toEqual([
      { path: '/subscriptions', message: 'is required' },
      { path: '/Type', message: expect.stringMatching(/not an allowed property/) },
    ]);
  });

  it('reports a value once even when it breaks two rules of one schema node', () => {
    const file = goodFile();
    file.subscriptions[0].target.webhook.url = 'not a url';
    expect(validateSubscriptionsSchema(file)).toEqual([
      { path: '/subscriptions/0/target/webhook/url', message: expect.any(String) },
    ]);
  });
});
