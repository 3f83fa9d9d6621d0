import { Webhook } from 'standardwebhooks';
import { signWebhook } from '../../../src/delivery/signWebhook';
import { WebhookSecretError } from '../../../src/delivery/errors';

// The Standard Webhooks specification's own test vector (standard-webhooks/standard-webhooks, spec).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: new Date(1614265330 * 1000),
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER_SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');

/** One good fixture, signed now (the verifier allows 5 minutes of skew). */
function fixture(secrets: string[] = [VECTOR.secret]) {
  const body = JSON.stringify({ specversion: '1.0', id: 'evt-1', data: { total: 42 } });
  return { body, headers: signWebhook({ id: 'evt-1', timestamp: new Date(), body, secrets }) };
}

describe('signWebhook', () => {
  it('matches the specification test vector', () => {
    const headers = signWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secrets: [VECTOR.secret] });
    expect(headers).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330', 'webhook-signature': VECTOR.signature });
  });

  it('accepts the secret without its whsec_ prefix', () => {
    const bare = signWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secrets: [VECTOR.secret.slice(6)] });
    expect(bare['webhook-signature']).toBe(VECTOR.signature);
  });

  it('signs a Buffer body like the same text', () => {
    const headers = signWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: Buffer.from(VECTOR.body), secrets: [VECTOR.secret] });
    expect(headers['webhook-signature']).toBe(VECTOR.signature);
  });

  it('produces headers the standardwebhooks verifier accepts', () => {
    const { body, headers } = fixture();
    expect(new Webhook(VECTOR.secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('lists one signature per secret while rotating, each verifying with its own secret', () => {
    const { body, headers } = fixture([VECTOR.secret, OTHER_SECRET]);
    const signatures = headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
    expect(() => new Webhook(VECTOR.secret).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(OTHER_SECRET).verify(body, { ...headers })).not.toThrow();
  });

  it('does not repeat the signature of a secret given twice', () => {
    const { headers } = fixture([VECTOR.secret, VECTOR.secret.slice(6)]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(1);
  });

  // One mutation per test, from the good fixture.
  it('fails verification when one byte of the body changes', () => {
    const { body, headers } = fixture();
    expect(() => new Webhook(VECTOR.secret).verify(body.replace('42', '43'), { ...headers })).toThrow('No matching signature found');
  });

  it('fails verification when the id changes', () => {
    const { body, headers } = fixture();
    expect(() => new Webhook(VECTOR.secret).verify(body, { ...headers, 'webhook-id': 'evt-2' })).toThrow('No matching signature found');
  });

  it('fails verification when the timestamp changes', () => {
    const { body, headers } = fixture();
    const shifted = String(Number(headers['webhook-timestamp']) - 1);
    expect(() => new Webhook(VECTOR.secret).verify(body, { ...headers, 'webhook-timestamp': shifted })).toThrow('No matching signature found');
  });

  it('fails verification with another secret', () => {
    const { body, headers } = fixture();
    expect(() => new Webhook(OTHER_SECRET).verify(body, { ...headers })).toThrow('No matching signature found');
  });

  it('with no secret sends webhook-id and webhook-timestamp only (an OAuth webhook authenticated by its token)', () => {
    const headers = signWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secrets: [] });
    expect(headers).toEqual({ 'webhook-id': VECTOR.id, 'webhook-timestamp': '1614265330' });
  });

  it('refuses an empty secret and a non-base64 secret without quoting it', () => {
    const sign = (secrets: string[]) => () => signWebhook({ id: 'x', timestamp: new Date(), body: '', secrets });
    expect(sign(['whsec_'])).toThrow(WebhookSecretError);
    expect(sign(['whsec_'])).toThrow('webhook secret #1 is not "whsec_" followed by base64');
    expect(sign([VECTOR.secret, 'whsec_not base64!'])).toThrow(/^webhook secret #2 /);
    const thrown = (() => {
      try {
        sign(['whsec_hunter2-is-my-password'])();
      } catch (error) {
        return String(error);
      }
      return 'nothing thrown';
    })();
    expect(thrown).toMatch(/webhook secret #1/);
    expect(thrown).not.toContain('hunter2');
  });
});
