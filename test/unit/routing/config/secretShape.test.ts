import { jweKeyProblem, webhookSecretProblem } from '../../../../src/routing/config/secretShape';

const base64Of = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64');

describe('webhookSecretProblem', () => {
  it('accepts 24 to 64 bytes of base64, with or without the whsec_ prefix', () => {
    expect(webhookSecretProblem(`whsec_${base64Of(24)}`)).toBeUndefined();
    expect(webhookSecretProblem(base64Of(64))).toBeUndefined();
  });

  it.each([
    [`whsec_${base64Of(23)}`, /decodes to 23 bytes/],
    [`whsec_${base64Of(65)}`, /decodes to 65 bytes/],
    ['whsec_', /not base64/],
    [`whsec_${base64Of(24).slice(0, -1)}`, /not base64/],
    ['whsec_!!!!', /not base64/],
  ])('refuses %j', (secret, message) => {
    expect(webhookSecretProblem(secret)).toMatch(message);
    expect(webhookSecretProblem(secret)).not.toContain(secret.slice(6) || '\u0000');
  });
});

describe('jweKeyProblem', () => {
  it('accepts exactly 32 bytes of base64', () => {
    expect(jweKeyProblem(base64Of(32))).toBeUndefined();
  });

  it('refuses other lengths and passphrases, pointing to cryptr', () => {
    expect(jweKeyProblem(base64Of(16))).toMatch(/decodes to 16 bytes.*cryptr/);
    expect(jweKeyProblem('correct horse battery staple')).toMatch(/not base64/);
  });
});
