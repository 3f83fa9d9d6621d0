import { parseSubscriptionsConfig } from '../../../../src/routing/config/parseSubscriptionsConfig';
import type { ConfigError } from '../../../../src/routing/config/types';
import { designExample, goodFile, JWE_KEY, WHSEC } from './fixtures';

function errorsOf(json: unknown, options = {}): ConfigError[] {
  const result = parseSubscriptionsConfig(json, options);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.errors;
}

function mutated(change: (file: any) => void): any {
  const file = goodFile();
  change(file);
  return file;
}

describe('parseSubscriptionsConfig: valid files', () => {
  it('accepts the example of DESIGN.md', () => {
    expect(parseSubscriptionsConfig(designExample())).toMatchObject({ ok: true });
  });

  it('accepts the good fixture, which uses every field', () => {
    expect(parseSubscriptionsConfig(goodFile())).toMatchObject({ ok: true });
  });

  it('normalises the good fixture into the shared Subscription shape', () => {
    const result = parseSubscriptionsConfig(goodFile());
    expect(result).toEqual({
      ok: true,
      config: {
        subscriptions: [
          {
            id: 'orders-to-billing',
            types: ['com.example.orders.*'],
            subjects: ['PUBLIC.orders.>'],
            filter: { source: [{ prefix: '/shop' }], data: { total: [{ numeric: ['>', 100] }] } },
            target: {
              kind: 'webhook',
              webhook: {
                url: 'https://billing.example.com/hooks',
                secrets: [WHSEC, { secretsManager: 'billing-whsec#next' }],
                headers: { 'X-Tenant': 'acme' },
              },
            },
            delivery: {
              ordered: true,
              payload: 'encrypted',
              mode: 'binary',
              maxAttempts: 5,
              timeoutSeconds: 10,
              encryption: { format: 'jwe', key: JWE_KEY },
              concurrency: 4,
              ratePerSecond: 2.5,
            },
          },
          {
            id: 'erp',
            types: ['com.example.>'],
            target: {
              kind: 'oauthWebhook',
              oauthWebhook: {
                url: 'https://erp.example.com/events',
                // No secret of its own: the file's default.
                secrets: [{ env: 'DEFAULT_WHSEC' }],
                tokenUrl: 'https://id.example.com/oauth2/token',
                clientId: 'switchyard',
                clientSecret: { ssm: '/switchyard/erp/client-secret' },
                scope: 'events.write',
              },
            },
            delivery: { ordered: false, payload: 'metadata', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16 },
          },
          {
            id: 'audit',
            target: {
              kind: 'lambda',
              lambda: { arn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit:live', invocationType: 'RequestResponse' },
            },
            delivery: { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16 },
          },
          {
            id: 'local.audit_2',
            target: { kind: 'lambda', lambda: { arn: 'arn:aws:lambda:local:000000000000:function:audit', invocationType: 'Event' } },
            delivery: {
              ordered: false,
              payload: 'encrypted',
              mode: 'structured',
              maxAttempts: 12,
              timeoutSeconds: 15,
              concurrency: 16,
              encryption: { format: 'cryptr', key: { env: 'AUDIT_KEY' } },
            },
          },
        ],
        local: { functions: { audit: './examples/functions/audit.js' } },
      },
    });
  });

  it('applies the documented defaults to a minimal subscription', () => {
    const result = parseSubscriptionsConfig({ subscriptions: [{ id: 'a', target: { webhook: { url: 'http://127.0.0.1:4001/hooks', secret: WHSEC } } }] });
    expect(result).toEqual({
      ok: true,
      config: {
        subscriptions: [
          {
            id: 'a',
            target: { kind: 'webhook', webhook: { url: 'http://127.0.0.1:4001/hooks', secrets: [WHSEC] } },
            delivery: { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16 },
          },
        ],
      },
    });
  });

  it('defaults the encryption format to jwe and the invocation type to Event', () => {
    const result = parseSubscriptionsConfig({
      subscriptions: [
        { id: 'a', target: { lambda: { arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' } }, delivery: { payload: 'encrypted', encryption: { key: { env: 'K' } } } },
      ],
    });
    expect(result.ok && result.config.subscriptions[0]).toMatchObject({
      target: { lambda: { invocationType: 'Event' } },
      delivery: { encryption: { format: 'jwe', key: { env: 'K' } } },
    });
  });

  it('signs a webhook without a secret of its own with defaults.webhookSecret (one or a rotation list)', () => {
    const file = mutated((f) => {
      delete f.subscriptions[0].target.webhook.secret;
      f.defaults.webhookSecret = [{ env: 'OLD' }, { env: 'NEW' }];
    });
    const result = parseSubscriptionsConfig(file);
    expect(result.ok && result.config.subscriptions[0].target).toEqual({
      kind: 'webhook',
      webhook: { url: 'https://billing.example.com/hooks', secrets: [{ env: 'OLD' }, { env: 'NEW' }], headers: { 'X-Tenant': 'acme' } },
    });
  });

  it('leaves an OAuth webhook without any secret unsigned (the bearer token authenticates it)', () => {
    const result = parseSubscriptionsConfig(designExample());
    expect(result.ok && result.config.subscriptions[1].target).toMatchObject({ kind: 'oauthWebhook', oauthWebhook: { secrets: [] } });
  });

  it('drops $schema and description, and keeps nothing shared with the input', () => {
    const file = goodFile();
    const result = parseSubscriptionsConfig(file);
    if (!result.ok) throw new Error('expected ok');
    expect(JSON.stringify(result.config)).not.toContain('$schema');
    expect(JSON.stringify(result.config)).not.toContain('orders over 100');
    file.subscriptions[0].filter.source[0].prefix = '/changed';
    file.subscriptions[0].target.webhook.secret[1].secretsManager = 'changed';
    file.subscriptions[0].target.webhook.headers['X-Tenant'] = 'changed';
    file.local.functions.audit = 'changed';
    expect(JSON.stringify(result.config)).not.toContain('changed');
  });
});

describe('parseSubscriptionsConfig: each rule refuses one mutation of the good file, at its path', () => {
  const cases: [string, (file: any) => void, string, RegExp][] = [
    ['the root is not an object', () => undefined, '', /must be an object with a "subscriptions" array/],
    ['subscriptions is missing', (f) => delete f.subscriptions, '/subscriptions', /is required/],
    ['subscriptions is not an array', (f) => (f.subscriptions = {}), '/subscriptions', /must be an array/],
    ['an unknown top-level property', (f) => (f.subscription = []), '/subscription', /not an allowed property; did you mean "subscriptions"/],
    ['a subscription is not an object', (f) => (f.subscriptions[1] = 'erp'), '/subscriptions/1', /must be an object/],
    ['an id is missing', (f) => delete f.subscriptions[1].id, '/subscriptions/1/id', /is required/],
    ['an id has a space', (f) => (f.subscriptions[1].id = 'e r p'), '/subscriptions/1/id', /letters, digits.*got "e r p"/],
    ['an id starts with a dot', (f) => (f.subscriptions[1].id = '.erp'), '/subscriptions/1/id', /starting with a letter or digit/],
    ['an id is longer than 128 characters', (f) => (f.subscriptions[1].id = 'x'.repeat(129)), '/subscriptions/1/id', /1 to 128/],
    ['two subscriptions share an id', (f) => (f.subscriptions[2].id = 'erp'), '/subscriptions/2/id', /"erp" is already the id of \/subscriptions\/1/],
    ['an unknown subscription property', (f) => (f.subscriptions[0].tpyes = ['a']), '/subscriptions/0/tpyes', /did you mean "types"/],
    ['types is empty', (f) => (f.subscriptions[0].types = []), '/subscriptions/0/types', /at least 1 item/],
    ['a type pattern has ">" before the end', (f) => (f.subscriptions[0].types = ['a', 'com.>.x']), '/subscriptions/0/types/1', /">" must be the last token/],
    ['a type pattern has an empty token', (f) => (f.subscriptions[0].types = ['com..x']), '/subscriptions/0/types/0', /empty token/],
    ['a type pattern is not a string', (f) => (f.subscriptions[0].types = [7]), '/subscriptions/0/types/0', /must be a string, got an integer/],
    ['a subject pattern is empty', (f) => (f.subscriptions[0].subjects = ['']), '/subscriptions/0/subjects/0', /must not be empty/],
    ['filter is not an object', (f) => (f.subscriptions[0].filter = ['source']), '/subscriptions/0/filter', /must be an object, got an array/],
    ['filter is empty', (f) => (f.subscriptions[0].filter = {}), '/subscriptions/0/filter', /empty objects are not allowed/],
    [
      'a filter numeric bound is not a number',
      (f) => (f.subscriptions[0].filter.data.total[0].numeric = ['>', 'x']),
      '/subscriptions/0/filter/data/total/0/numeric/1',
      /finite number/,
    ],
    ['a filter operator is unknown', (f) => (f.subscriptions[0].filter.source = [{ prefx: '/shop' }]), '/subscriptions/0/filter/source/0/prefx', /unknown operator/],
    ['target is missing', (f) => delete f.subscriptions[2].target, '/subscriptions/2/target', /is required/],
    ['target is empty', (f) => (f.subscriptions[2].target = {}), '/subscriptions/2/target', /exactly one of "webhook", "oauthWebhook" or "lambda"/],
    [
      'target has two kinds',
      (f) => (f.subscriptions[2].target.webhook = { url: 'https://a.example', secret: WHSEC }),
      '/subscriptions/2/target',
      /exactly one of/,
    ],
    ['target has an unknown kind', (f) => (f.subscriptions[2].target = { sqs: {} }), '/subscriptions/2/target/sqs', /allowed: webhook, oauthWebhook, lambda/],
    ['a webhook has no url', (f) => delete f.subscriptions[0].target.webhook.url, '/subscriptions/0/target/webhook/url', /is required/],
    ['a webhook url is not http(s)', (f) => (f.subscriptions[0].target.webhook.url = 'ftp://billing.example.com'), '/subscriptions/0/target/webhook/url', /http:\/\/ or https:\/\//],
    ['a webhook url is not a URL', (f) => (f.subscriptions[0].target.webhook.url = 'billing'), '/subscriptions/0/target/webhook/url', /http:\/\/ or https:\/\//],
    [
      'a webhook has no secret and the file no default',
      (f) => {
        delete f.subscriptions[0].target.webhook.secret;
        delete f.defaults;
      },
      '/subscriptions/0/target/webhook/secret',
      /is required: give the webhook a Standard Webhooks signing secret, or set defaults.webhookSecret/,
    ],
    ['a secret object has two sources', (f) => (f.subscriptions[0].target.webhook.secret = { env: 'A', ssm: 'b' }), '/subscriptions/0/target/webhook/secret', /exactly one of "env", "secretsManager" or "ssm"/],
    ['a secret object is empty', (f) => (f.subscriptions[0].target.webhook.secret = {}), '/subscriptions/0/target/webhook/secret', /exactly one of/],
    ['a secret has an unknown source', (f) => (f.subscriptions[0].target.webhook.secret = { vault: 'x' }), '/subscriptions/0/target/webhook/secret/vault', /not an allowed property/],
    ['a secret is a number', (f) => (f.subscriptions[0].target.webhook.secret = 42), '/subscriptions/0/target/webhook/secret', /non-empty string or an object/],
    ['a secret list is empty', (f) => (f.subscriptions[0].target.webhook.secret = []), '/subscriptions/0/target/webhook/secret', /at least 1 item/],
    ['a secret in a list is empty', (f) => (f.subscriptions[0].target.webhook.secret[0] = ''), '/subscriptions/0/target/webhook/secret/0', /must not be empty/],
    ['an env secret names no variable', (f) => (f.subscriptions[0].target.webhook.secret[1] = { env: '1BAD' }), '/subscriptions/0/target/webhook/secret/1/env', /environment variable name/],
    ['a plain webhook secret is not base64', (f) => (f.subscriptions[0].target.webhook.secret[0] = 'whsec_not base64!'), '/subscriptions/0/target/webhook/secret/0', /Standard Webhooks secret.*not base64/],
    ['a plain webhook secret is too short', (f) => (f.subscriptions[0].target.webhook.secret[0] = 'whsec_c2hvcnQ='), '/subscriptions/0/target/webhook/secret/0', /24 to 64 random bytes \(it decodes to 5 bytes\)/],
    ['the default webhook secret is malformed', (f) => (f.defaults.webhookSecret = 'nope'), '/defaults/webhookSecret', /Standard Webhooks secret/],
    ['defaults has an unknown property', (f) => (f.defaults.secret = 'x'), '/defaults/secret', /allowed: webhookSecret/],
    ['a header is set by the bus', (f) => (f.subscriptions[0].target.webhook.headers['Webhook-Signature'] = 'v1,x'), '/subscriptions/0/target/webhook/headers/Webhook-Signature', /set by the bus/],
    ['a header name is not a token', (f) => (f.subscriptions[0].target.webhook.headers['X Tenant'] = 'a'), '/subscriptions/0/target/webhook/headers/X Tenant', /not a valid HTTP header name/],
    ['a header value is not a string', (f) => (f.subscriptions[0].target.webhook.headers['X-Tenant'] = 1), '/subscriptions/0/target/webhook/headers/X-Tenant', /must be a string/],
    ['an OAuth webhook has no client secret', (f) => delete f.subscriptions[1].target.oauthWebhook.clientSecret, '/subscriptions/1/target/oauthWebhook/clientSecret', /is required/],
    ['an OAuth webhook has no client id', (f) => (f.subscriptions[1].target.oauthWebhook.clientId = ''), '/subscriptions/1/target/oauthWebhook/clientId', /must not be empty/],
    ['an OAuth token URL is not http(s)', (f) => (f.subscriptions[1].target.oauthWebhook.tokenUrl = 'mailto:a@b.c'), '/subscriptions/1/target/oauthWebhook/tokenUrl', /http:\/\/ or https:\/\//],
    ['an OAuth webhook sets Authorization', (f) => (f.subscriptions[1].target.oauthWebhook.headers = { authorization: 'x' }), '/subscriptions/1/target/oauthWebhook/headers/authorization', /set by the bus/],
    ['a Lambda ARN is malformed', (f) => (f.subscriptions[2].target.lambda.arn = 'audit'), '/subscriptions/2/target/lambda/arn', /Lambda function ARN.*got "audit"/],
    ['an invocation type is unknown', (f) => (f.subscriptions[2].target.lambda.invocationType = 'DryRun'), '/subscriptions/2/target/lambda/invocationType', /"Event", "RequestResponse", got "DryRun"/],
    ['a local Lambda has no module', (f) => (f.local.functions = { other: './x.js' }), '/subscriptions/3/target/lambda/arn', /local.functions has no "audit"/],
    ['local.functions has a bad name', (f) => (f.local.functions['bad name'] = './x.js'), '/local/functions/bad name', /not a valid Lambda function name/],
    ['a local module path is empty', (f) => (f.local.functions.audit = ''), '/local/functions/audit', /must not be empty/],
    ['local has an unknown property', (f) => (f.local.env = {}), '/local/env', /allowed: functions/],
    ['delivery.payload is unknown', (f) => (f.subscriptions[1].delivery.payload = 'public'), '/subscriptions/1/delivery/payload', /"full", "metadata", "encrypted", got "public"/],
    ['delivery.mode is unknown', (f) => (f.subscriptions[0].delivery.mode = 'batch'), '/subscriptions/0/delivery/mode', /"structured", "binary"/],
    ['delivery.ordered is not a boolean', (f) => (f.subscriptions[0].delivery.ordered = 'yes'), '/subscriptions/0/delivery/ordered', /must be a boolean, got a string/],
    ['an encrypted payload has no key', (f) => delete f.subscriptions[0].delivery.encryption, '/subscriptions/0/delivery/encryption', /is required when payload is "encrypted"/],
    ['a plain jwe key is not 32 bytes', (f) => (f.subscriptions[0].delivery.encryption.key = 'c2hvcnQ='), '/subscriptions/0/delivery/encryption/key', /32 random bytes.*decodes to 5 bytes/],
    ['an encryption format is unknown', (f) => (f.subscriptions[0].delivery.encryption.format = 'pgp'), '/subscriptions/0/delivery/encryption/format', /"jwe", "cryptr"/],
    ['an encryption has no key', (f) => delete f.subscriptions[0].delivery.encryption.key, '/subscriptions/0/delivery/encryption/key', /is required/],
    ['maxAttempts is 0', (f) => (f.subscriptions[0].delivery.maxAttempts = 0), '/subscriptions/0/delivery/maxAttempts', /must be >= 1, got 0/],
    ['maxAttempts is not an integer', (f) => (f.subscriptions[0].delivery.maxAttempts = 2.5), '/subscriptions/0/delivery/maxAttempts', /must be an integer, got a number/],
    ['timeoutSeconds is over 300', (f) => (f.subscriptions[0].delivery.timeoutSeconds = 301), '/subscriptions/0/delivery/timeoutSeconds', /must be <= 300, got 301/],
    ['concurrency is 0', (f) => (f.subscriptions[0].delivery.concurrency = 0), '/subscriptions/0/delivery/concurrency', /must be >= 1/],
    ['ratePerSecond is 0', (f) => (f.subscriptions[0].delivery.ratePerSecond = 0), '/subscriptions/0/delivery/ratePerSecond', /must be > 0, got 0/],
    ['delivery has an unknown property', (f) => (f.subscriptions[0].delivery.retries = 3), '/subscriptions/0/delivery/retries', /not an allowed property/],
  ];

  it.each(cases)('refuses a file where %s', (_name, change, path, message) => {
    const file = _name === 'the root is not an object' ? 'subscriptions' : mutated(change);
    const errors = errorsOf(file);
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it.each(cases)('reports only the problem it introduced when %s', (_name, change) => {
    if (_name === 'the root is not an object') return;
    // One mutation, one error: no cascade of messages about the same value.
    expect(errorsOf(mutated(change))).toHaveLength(1);
  });
});

describe('parseSubscriptionsConfig: every error at once', () => {
  it('reports every problem of the file in one answer, each at its JSON path, grouped by subscription', () => {
    const file = goodFile();
    file.subscriptions[0].target.webhook.url = 'ftp://x';
    file.subscriptions[0].delivery.maxAttempts = 0;
    file.subscriptions[0].types = ['a.>.b'];
    file.subscriptions[1].id = 'orders-to-billing';
    file.subscriptions[1].target.oauthWebhook.tokenUrl = 'nope';
    file.subscriptions[2].target.lambda.arn = 'x';
    file.subscriptions[3].delivery.payload = 'secret';
    file.subscriptions.push({ id: 'z', target: { webhook: { url: 'https://a.example', secret: 'bad' } }, filter: { a: 1 } });
    file.extra = true;
    expect(errorsOf(file).map((error) => error.path)).toEqual([
      '/extra',
      '/subscriptions/0/delivery/maxAttempts',
      '/subscriptions/0/target/webhook/url',
      '/subscriptions/0/types/0',
      '/subscriptions/1/id',
      '/subscriptions/1/target/oauthWebhook/tokenUrl',
      '/subscriptions/2/target/lambda/arn',
      '/subscriptions/3/delivery/payload',
      '/subscriptions/4/filter/a',
      '/subscriptions/4/target/webhook/secret',
    ]);
  });

  it('orders array indexes numerically (2 before 10)', () => {
    const subscriptions = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, target: { lambda: { arn: 'bad' } } }));
    const paths = errorsOf({ subscriptions }).map((error) => error.path);
    expect(paths.indexOf('/subscriptions/2/target/lambda/arn')).toBeLessThan(paths.indexOf('/subscriptions/10/target/lambda/arn'));
  });

  it('escapes / and ~ in property names (RFC 6901)', () => {
    const file = goodFile();
    file.subscriptions[0].filter = { 'a/b~c': [{ prefx: 'x' }] };
    expect(errorsOf(file)).toContainEqual({ path: '/subscriptions/0/filter/a~1b~0c/0/prefx', message: expect.any(String) });
  });
});

describe('parseSubscriptionsConfig: secrets never appear in messages', () => {
  it('does not echo a malformed plain webhook secret, an encryption key or a URL with credentials', () => {
    const file = goodFile();
    file.subscriptions[0].target.webhook.secret = 'whsec_TOPSECRETVALUE!';
    file.subscriptions[0].delivery.encryption.key = 'TOPSECRETKEY';
    file.subscriptions[1].target.oauthWebhook.url = 'ftp://user:TOPSECRETPASS@erp.example.com';
    file.subscriptions[1].target.oauthWebhook.tokenUrl = 'not-a-url-TOPSECRETTOKEN';
    const text = JSON.stringify(errorsOf(file));
    expect(text).not.toMatch(/TOPSECRET/);
  });
});

describe('parseSubscriptionsConfig: maxSubscriptions', () => {
  const lambdas = (count: number) => ({
    subscriptions: Array.from({ length: count }, (_, i) => ({ id: `s-${i}`, target: { lambda: { arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' } } })),
  });

  it('accepts 1,000 subscriptions by default', () => {
    expect(parseSubscriptionsConfig(lambdas(1000))).toMatchObject({ ok: true });
  });

  it('refuses 1,001 with one clear error, without checking the entries', () => {
    const file = lambdas(1001);
    file.subscriptions[0].id = 'not valid!';
    expect(errorsOf(file)).toEqual([
      { path: '/subscriptions', message: "has 1,001 subscriptions; at most 1,000 are allowed (the engine's maxSubscriptions)" },
    ]);
  });

  it('honours a configured maximum, in both formats', () => {
    expect(errorsOf(lambdas(3), { maxSubscriptions: 2 })).toEqual([{ path: '/subscriptions', message: expect.stringMatching(/has 3 subscriptions; at most 2/) }]);
    const pageUp = Array.from({ length: 3 }, () => ({ Type: 'Lambda', BusinessEvent: '*', LambdaArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' }));
    expect(errorsOf(pageUp, { maxSubscriptions: 2 })).toEqual([{ path: '', message: expect.stringMatching(/has 3 subscriptions; at most 2/) }]);
  });

  it('rejects a nonsensical maximum as a programming error', () => {
    expect(() => parseSubscriptionsConfig(lambdas(1), { maxSubscriptions: -1 })).toThrow(RangeError);
    expect(() => parseSubscriptionsConfig(lambdas(1), { maxSubscriptions: 1.5 })).toThrow(/maxSubscriptions/);
  });
});
