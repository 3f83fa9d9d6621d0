import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { hashToken } from '../../../src/auth/hashToken';
import { runCli } from '../../../src/cli/program';
import { cliContext } from './support/cliContext';

// No emulator serves Secrets Manager, and writes to a stage's secret cannot run here: the SDK client is mocked,
// and the stack outputs are handed in (the local path is covered by test/integration/cli/producers.test.ts).
const secrets = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:ProducerTokens-abc';

function stageContext(outputs: Record<string, string> = { ProducerTokensSecretArn: SECRET_ARN }) {
  const context = cliContext({ AWS_REGION: 'ap-southeast-2' });
  const asked: string[] = [];
  context.ctx.readStackOutputs = async (stackName) => {
    asked.push(stackName);
    return outputs;
  };
  return { ...context, asked };
}

let stored: string;
beforeEach(() => {
  secrets.reset();
  stored = JSON.stringify({ producers: { billing: { tokenHashes: [hashToken('old')], sources: ['/billing'], types: ['invoice.*'] } }, readers: {} });
  secrets.on(GetSecretValueCommand).callsFake(() => ({ SecretString: stored }));
  secrets.on(PutSecretValueCommand).callsFake((input: { SecretString: string }) => {
    stored = input.SecretString;
    return {};
  });
});

describe('switchyard producers --stage', () => {
  it("adds to the stage's secret (from the stack output), keeping what was there and only the new token's hash", async () => {
    const { ctx, out, asked } = stageContext();
    expect(await runCli(['producers', 'add', 'shop', '--sources', '/shop', '--types', 'order.>', '--iam-principals', 'arn:aws:iam::123456789012:role/shop', '--stage', 'prod'], ctx)).toBe(0);
    expect(asked).toEqual(['Switchyard-prod']);
    const token = /^token: (sy_\S+)$/.exec(out[1])![1];
    expect(out[0]).toBe(`producer shop added to secret ${SECRET_ARN}`);
    expect(out[2]).toBe('keep it now: only its hash is stored, so it cannot be shown again; ingest applies it within 60 s');

    const put = secrets.commandCalls(PutSecretValueCommand);
    expect(put).toHaveLength(1);
    expect(put[0].args[0].input.SecretId).toBe(SECRET_ARN);
    expect(put[0].args[0].input.SecretString).not.toContain(token);
    expect(JSON.parse(stored)).toEqual({
      producers: {
        billing: { tokenHashes: [hashToken('old')], sources: ['/billing'], types: ['invoice.*'] },
        shop: { tokenHashes: [hashToken(token)], sources: ['/shop'], types: ['order.>'], iamPrincipals: ['arn:aws:iam::123456789012:role/shop'] },
      },
      readers: {},
    });
  });

  it('lists without hashes and revokes, saying how long ingest takes to apply it', async () => {
    const { ctx, out } = stageContext();
    expect(await runCli(['producers', 'list', '--json', '--stage', 'prod'], ctx)).toBe(0);
    expect(out.map((line) => JSON.parse(line))).toEqual([{ name: 'billing', kind: 'producer', sources: ['/billing'], types: ['invoice.*'], tokens: 1 }]);
    expect(out.join('\n')).not.toContain('sha256');

    out.length = 0;
    expect(await runCli(['producers', 'revoke', 'billing', '--stage', 'prod'], ctx)).toBe(0);
    expect(out).toEqual([`billing revoked in secret ${SECRET_ARN}; ingest refuses its tokens within 60 s`]);
    expect(JSON.parse(stored)).toEqual({ producers: {}, readers: {} });
  });

  it('refuses a stage without the output, and a secret that is not a credentials document, writing nothing', async () => {
    const missing = stageContext({});
    expect(await runCli(['producers', 'list', '--stage', 'prod'], missing.ctx)).toBe(2);
    expect(missing.err).toEqual(['switchyard: stack Switchyard-prod has no output ProducerTokensSecretArn: redeploy the stage with this version']);

    stored = JSON.stringify({ default: 'a-plain-token' });
    const old = stageContext();
    expect(await runCli(['producers', 'add', 'shop', '--sources', '*', '--types', '>', '--stage', 'prod'], old.ctx)).toBe(1);
    expect(old.err[0]).toBe(
      `switchyard: secret ${SECRET_ARN}: default is not a field of the credentials document; use producers, readers: fix it by hand, or start again from {"producers":{},"readers":{}}`,
    );
    expect(old.err.join('\n')).not.toContain('a-plain-token');
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
