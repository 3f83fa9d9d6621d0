import { parseSubscriptionsConfig } from '../../../../src/routing/config/parseSubscriptionsConfig';
import { SubscriptionMatcher } from '../../../../src/routing/SubscriptionMatcher';
import type { SubscriptionsConfig } from '../../../../src/routing/subscriptionTypes';
import { goodPageUpFile, WHSEC } from './fixtures';

const ENV = { SWITCHYARD_DEFAULT_WEBHOOK_SECRET: WHSEC };

function convert(file: unknown, env: NodeJS.ProcessEnv = ENV): SubscriptionsConfig {
  const result = parseSubscriptionsConfig(file, { env });
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.config;
}

function errorsOf(file: unknown, env: NodeJS.ProcessEnv = ENV) {
  const result = parseSubscriptionsConfig(file, { env });
  if (result.ok) throw new Error('expected the file to be refused');
  return result.errors;
}

const ID = /^pageup-(webhook|authenticatedwebhook|lambda)-[0-9a-f]{12}$/;

describe('parseSubscriptionsConfig: the PageUp EventSystem format', () => {
  it('converts Webhook, AuthenticatedWebhook and Lambda entries', () => {
    const config = convert(goodPageUpFile());
    const delivery = { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16 };
    expect(config).toEqual({
      subscriptions: [
        {
          id: expect.stringMatching(ID),
          types: ['offer-accepted'],
          target: {
            kind: 'webhook',
            // The format has no secret field: the environment default, kept as a reference.
            webhook: { url: 'https://hooks.example.com/offers', secrets: [{ env: 'SWITCHYARD_DEFAULT_WEBHOOK_SECRET' }] },
          },
          delivery,
        },
        {
          id: expect.stringMatching(ID),
          types: ['candidate-created'],
          target: {
            kind: 'oauthWebhook',
            oauthWebhook: {
              url: 'https://erp.example.com/events',
              secrets: [{ env: 'SWITCHYARD_DEFAULT_WEBHOOK_SECRET' }],
              tokenUrl: 'https://id.example.com/connect/token',
              clientId: 'eventsystem',
              clientSecret: 'plain-client-secret',
              // What PageUp's AuthenticationModule always asked for.
              scope: 'Subscription.Notify',
            },
          },
          delivery,
        },
        {
          id: expect.stringMatching(ID),
          target: { kind: 'lambda', lambda: { arn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit', invocationType: 'Event' } },
          delivery,
        },
      ],
    });
  });

  it('never puts the default secret value into the config', () => {
    expect(JSON.stringify(convert(goodPageUpFile()))).not.toContain(WHSEC);
  });

  it('derives ids from the entry, so they survive other entries being added, and keeps duplicates apart', () => {
    const before = convert(goodPageUpFile()).subscriptions.map((s) => s.id);
    const file = goodPageUpFile();
    file.unshift({ Type: 'Lambda', BusinessEvent: 'x', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:other' });
    file.push({ ...file[1] });
    const after = convert(file).subscriptions.map((s) => s.id);
    expect(after.slice(1, 4)).toEqual(before);
    expect(after[4]).toBe(`${before[0]}-2`);
    expect(new Set(after).size).toBe(after.length);
    expect(before[0]).toMatch(/^pageup-webhook-/);
    expect(before[1]).toMatch(/^pageup-authenticatedwebhook-/);
  });

  it('matches BusinessEvent against the type exactly, and "*" against every type', () => {
    const file = [
      { Type: 'Lambda', BusinessEvent: 'offer-accepted', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:exact' },
      // NATS wildcards and odd names are still exact names in PageUp: escaped into a filter.
      { Type: 'Lambda', BusinessEvent: 'orders.*', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:star' },
      { Type: 'Lambda', BusinessEvent: '>', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:gt' },
      { Type: 'Lambda', BusinessEvent: 'a..b', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:dots' },
      { Type: 'Lambda', BusinessEvent: '*', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:all' },
    ];
    const config = convert(file);
    expect(config.subscriptions.map(({ types, filter }) => ({ types, filter }))).toEqual([
      { types: ['offer-accepted'], filter: undefined },
      { types: undefined, filter: { type: ['orders.*'] } },
      { types: undefined, filter: { type: ['>'] } },
      { types: undefined, filter: { type: ['a..b'] } },
      { types: undefined, filter: undefined },
    ]);
    // And the matcher agrees: each name matches itself only, "*" everything.
    const matcher = new SubscriptionMatcher(config.subscriptions);
    const arnName = (id: string) => config.subscriptions.find((s) => s.id === id)!.target;
    const matched = (type: string) =>
      matcher
        .match({ specversion: '1.0', id: '1', source: '/s', type })
        .map((id) => (arnName(id) as { lambda: { arn: string } }).lambda.arn.split(':').pop())
        .sort();
    expect(matched('offer-accepted')).toEqual(['all', 'exact']);
    expect(matched('offer-accepted.v2')).toEqual(['all']);
    expect(matched('orders.*')).toEqual(['all', 'star']);
    expect(matched('orders.created')).toEqual(['all']);
    expect(matched('>')).toEqual(['all', 'gt']);
    expect(matched('a..b')).toEqual(['all', 'dots']);
  });

  it('accepts a secret reference as Auth.ClientSecret', () => {
    const file = goodPageUpFile();
    file[1].Auth.ClientSecret = { secretsManager: 'erp#client_secret' };
    expect(convert(file).subscriptions[1].target).toMatchObject({ oauthWebhook: { clientSecret: { secretsManager: 'erp#client_secret' } } });
  });

  it('refuses a Webhook when SWITCHYARD_DEFAULT_WEBHOOK_SECRET is not set, with one clear error', () => {
    const file = goodPageUpFile();
    file.push({ ...file[0], BusinessEvent: 'offer-declined' });
    expect(errorsOf(file, {})).toEqual([
      {
        path: '',
        message:
          'the Webhook subscriptions /0, /3 need a signing secret: set the environment variable SWITCHYARD_DEFAULT_WEBHOOK_SECRET (the PageUp format has no field for one)',
      },
    ]);
  });

  it('leaves AuthenticatedWebhooks unsigned when no default secret is set', () => {
    const config = convert(goodPageUpFile().slice(1), {});
    expect(config.subscriptions[0].target).toMatchObject({ kind: 'oauthWebhook', oauthWebhook: { secrets: [] } });
  });

  it('refuses a malformed default secret without showing it', () => {
    const errors = errorsOf(goodPageUpFile(), { SWITCHYARD_DEFAULT_WEBHOOK_SECRET: 'hunter2-not-a-secret' });
    expect(errors).toEqual([{ path: '', message: expect.stringMatching(/SWITCHYARD_DEFAULT_WEBHOOK_SECRET must be a Standard Webhooks secret/) }]);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });

  const cases: [string, (file: any[]) => void, string, RegExp][] = [
    ['a Webhook has no Endpoint', (f) => delete f[0].Endpoint, '/0/Endpoint', /is required/],
    ['an Endpoint is not http(s)', (f) => (f[0].Endpoint = 'ftp://hooks.example.com'), '/0/Endpoint', /http:\/\/ or https:\/\//],
    ['an AuthenticatedWebhook has no Auth', (f) => delete f[1].Auth, '/1/Auth', /is required/],
    ['Auth has no ClientId', (f) => delete f[1].Auth.ClientId, '/1/Auth/ClientId', /is required/],
    ['Auth.Endpoint is not a URL', (f) => (f[1].Auth.Endpoint = 'token'), '/1/Auth/Endpoint', /http:\/\/ or https:\/\//],
    ['a Lambda has no LambdaArn', (f) => delete f[2].LambdaArn, '/2/LambdaArn', /is required/],
    ['a LambdaArn is malformed', (f) => (f[2].LambdaArn = 'audit'), '/2/LambdaArn', /Lambda function ARN/],
    ['a LambdaArn is local', (f) => (f[2].LambdaArn = 'arn:aws:lambda:local:000000000000:function:audit'), '/2/LambdaArn', /needs local.functions/],
    ['a Type is unknown', (f) => (f[0].Type = 'Slack'), '/0/Type', /"Webhook", "AuthenticatedWebhook", "Lambda", got "Slack"/],
    ['BusinessEvent is missing', (f) => delete f[0].BusinessEvent, '/0/BusinessEvent', /is required/],
    ['BusinessEvent is empty', (f) => (f[0].BusinessEvent = ''), '/0/BusinessEvent', /must not be empty/],
    ['an entry is not an object', (f) => (f[1] = 'Webhook'), '/1', /must be an object/],
    ['a property is miscased', (f) => (f[2].lambdaArn = f[2].LambdaArn), '/2/lambdaArn', /did you mean "LambdaArn"/],
  ];

  it.each(cases)('refuses a file where %s', (_name, change, path, message) => {
    const file = goodPageUpFile();
    change(file);
    expect(errorsOf(file)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('accepts an empty array (no subscriptions)', () => {
    expect(convert([])).toEqual({ subscriptions: [] });
  });
});
