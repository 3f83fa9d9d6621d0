/** A demo Standard Webhooks secret (base64 of 24 bytes), public like the one in the example file. */
export const WHSEC = `whsec_${Buffer.from('unit-test-webhook-secret').toString('base64')}`;

/** A valid `jwe` key: the base64 of 32 bytes. */
export const JWE_KEY = Buffer.alloc(32, 7).toString('base64');

/** The example of DESIGN.md "subscriptions.json", verbatim. */
export function designExample(): Record<string, unknown> {
  return {
    $schema: './schema/subscriptions.schema.json',
    subscriptions: [
      {
        id: 'orders-to-billing',
        types: ['com.example.orders.*'],
        filter: { source: [{ prefix: '/shop' }], data: { total: [{ numeric: ['>', 100] }] } },
        target: { webhook: { url: 'https://billing.example.com/hooks', secret: { env: 'BILLING_WHSEC' } } },
        delivery: { ordered: false, payload: 'full', maxAttempts: 12, timeoutSeconds: 15 },
      },
      {
        id: 'erp',
        types: ['com.example.>'],
        target: {
          oauthWebhook: {
            url: 'https://erp.example.com/events',
            tokenUrl: 'https://id.example.com/oauth2/token',
            clientId: 'switchyard',
            clientSecret: { secretsManager: 'erp-client-secret' },
            scope: 'events.write',
          },
        },
      },
      { id: 'audit', target: { lambda: { arn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit' } } },
    ],
  };
}

/**
 * A valid file using every field, fresh on each call so a test can mutate it. Subscriptions:
 * 0 webhook (own secrets, headers, encrypted payload), 1 OAuth webhook, 2 Lambda, 3 local Lambda.
 */
export function goodFile(): any {
  return {
    $schema: './schema/subscriptions.schema.json',
    defaults: { webhookSecret: { env: 'DEFAULT_WHSEC' } },
    subscriptions: [
      {
        id: 'orders-to-billing',
        description: 'orders over 100 to billing',
        types: ['com.example.orders.*'],
        subjects: ['PUBLIC.orders.>'],
        filter: { source: [{ prefix: '/shop' }], data: { total: [{ numeric: ['>', 100] }] } },
        target: {
          webhook: {
            url: 'https://billing.example.com/hooks',
            secret: [WHSEC, { secretsManager: 'billing-whsec#next' }],
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
          oauthWebhook: {
            url: 'https://erp.example.com/events',
            tokenUrl: 'https://id.example.com/oauth2/token',
            clientId: 'switchyard',
            clientSecret: { ssm: '/switchyard/erp/client-secret' },
            scope: 'events.write',
          },
        },
        delivery: { payload: 'metadata' },
      },
      {
        id: 'audit',
        target: { lambda: { arn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit:live', invocationType: 'RequestResponse' } },
      },
      {
        id: 'local.audit_2',
        target: { lambda: { arn: 'arn:aws:lambda:local:000000000000:function:audit' } },
        delivery: { payload: 'encrypted', encryption: { format: 'cryptr', key: { env: 'AUDIT_KEY' } } },
      },
    ],
    local: { functions: { audit: './examples/functions/audit.js' } },
  };
}

/** A valid PageUp EventSystem file: one subscription of each `Type`. */
export function goodPageUpFile(): any[] {
  return [
    { Type: 'Webhook', Endpoint: 'https://hooks.example.com/offers', BusinessEvent: 'offer-accepted' },
    {
      Type: 'AuthenticatedWebhook',
      Endpoint: 'https://erp.example.com/events',
      BusinessEvent: 'candidate-created',
      Auth: { Endpoint: 'https://id.example.com/connect/token', ClientId: 'eventsystem', ClientSecret: 'plain-client-secret' },
    },
    { Type: 'Lambda', BusinessEvent: '*', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit' },
  ];
}
