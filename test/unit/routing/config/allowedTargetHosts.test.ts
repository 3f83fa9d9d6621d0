import { allowedHostPatternProblem, isAllowedTargetHost, parseAllowedTargetHosts } from '../../../../src/routing/config/allowedTargetHosts';
import { parseSubscriptionsConfig } from '../../../../src/routing/config/parseSubscriptionsConfig';

const WHSEC = `whsec_${Buffer.from('allow-list-test-secret!!').toString('base64')}`;
const ALLOWED = ['*.example.com', 'hooks.partner.io'];

describe('allowedTargetHosts', () => {
  it.each([
    ['api.example.com', true],
    ['a.b.example.com', true],
    ['API.Example.COM.', true],
    ['hooks.partner.io', true],
    ['example.com', false],
    ['evilexample.com', false],
    ['example.com.attacker.net', false],
    ['x.hooks.partner.io', false],
    ['partner.io', false],
  ])('%s is allowed: %s', (host, allowed) => {
    expect(isAllowedTargetHost(host, ALLOWED)).toBe(allowed);
  });

  it('refuses patterns with a * other than a leading label, and names that are not host names', () => {
    expect(allowedHostPatternProblem('*.example.com')).toBeUndefined();
    expect(allowedHostPatternProblem('hooks.partner.io')).toBeUndefined();
    expect(allowedHostPatternProblem('api.*.example.com')).toMatch(/^must be a host name/);
    expect(allowedHostPatternProblem('*example.com')).toMatch(/^must be a host name/);
    expect(allowedHostPatternProblem('https://example.com')).toMatch(/^must be a host name/);
    expect(allowedHostPatternProblem('*')).toMatch(/^must be a host name/);
  });

  it('parses the comma-separated variable (trimmed, lower-cased; unset or blank: no list) and names it when an entry is bad', () => {
    expect(parseAllowedTargetHosts(' *.Example.com , hooks.partner.io ')).toEqual(['*.example.com', 'hooks.partner.io']);
    expect(parseAllowedTargetHosts(undefined)).toBeUndefined();
    expect(parseAllowedTargetHosts('  ')).toBeUndefined();
    expect(() => parseAllowedTargetHosts('*.example.com,a/b')).toThrow(/^environment variable ALLOWED_TARGET_HOSTS: an entry must be a host name/);
  });

  it('refuses at load a subscriptions file whose webhook or token URL names another host, with the path of each URL', () => {
    const file = {
      subscriptions: [
        { id: 'ok', target: { webhook: { url: 'https://api.example.com/hooks', secret: WHSEC } } },
        { id: 'exfiltrate', target: { webhook: { url: 'https://collector.attacker.net/in', secret: WHSEC } } },
        {
          id: 'token-elsewhere',
          target: { oauthWebhook: { url: 'https://hooks.partner.io/in', tokenUrl: 'https://tokens.attacker.net/oauth', clientId: 'c', clientSecret: 's' } },
        },
      ],
    };
    const result = parseSubscriptionsConfig(file, { requireHttps: true, allowPrivateNetworks: false, allowedHosts: ALLOWED });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        path: '/subscriptions/1/target/webhook/url',
        message: 'names the host collector.attacker.net, which this stage does not allow (allowedTargetHosts: *.example.com, hooks.partner.io): use an allowed host or ask for the stage\'s list to be extended',
      },
      { path: '/subscriptions/2/target/oauthWebhook/tokenUrl', message: expect.stringMatching(/^names the host tokens\.attacker\.net, which this stage does not allow/) },
    ]);
    // Without the list the same file loads.
    expect(parseSubscriptionsConfig(file, { requireHttps: true, allowPrivateNetworks: false }).ok).toBe(true);
  });

  it('refuses the PageUp format the same way (Endpoint and Auth.Endpoint)', () => {
    const file = [{ Type: 'AuthenticatedWebhook', BusinessEvent: 'offer-accepted', Endpoint: 'https://hooks.partner.io/x', Auth: { Endpoint: 'https://login.attacker.net/token', ClientId: 'c', ClientSecret: 's' } }];
    const result = parseSubscriptionsConfig(file, { env: { SWITCHYARD_DEFAULT_WEBHOOK_SECRET: WHSEC }, allowedHosts: ALLOWED });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.path)).toEqual(['/0/Auth/Endpoint']);
  });
});
