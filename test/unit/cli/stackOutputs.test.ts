// No CloudFormation emulator exists here, so DescribeStacks is answered by a stand-in of the SDK module
// (`virtual`: the module need not be installed). What is under test is the reading of the answer and the
// translation of the SDK's errors into one-line messages.
const sent: Array<{ region?: string; input: unknown }> = [];
let answer: () => unknown = () => ({});
jest.mock(
  '@aws-sdk/client-cloudformation',
  () => ({
    CloudFormationClient: class {
      constructor(private readonly config: { region?: string }) {}
      async send(command: { input: unknown }) {
        sent.push({ region: this.config.region, input: command.input });
        return answer();
      }
      destroy() {}
    },
    DescribeStacksCommand: class {
      constructor(readonly input: unknown) {}
    },
  }),
  { virtual: true },
);

import { CliError } from '../../../src/cli/errors';
import { describeStackOutputs } from '../../../src/cli/target/stackOutputs';

beforeEach(() => {
  sent.length = 0;
});

describe('describeStackOutputs', () => {
  test("answers the stack's outputs by key, asking DescribeStacks in the given region", async () => {
    answer = () => ({
      Stacks: [{ StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'EventStreamName', OutputValue: 's-1' }, { OutputKey: 'WorkerTableName', OutputValue: 'w-1' }] }],
    });
    await expect(describeStackOutputs('Switchyard-prod', 'ap-southeast-2')).resolves.toEqual({ EventStreamName: 's-1', WorkerTableName: 'w-1' });
    expect(sent).toEqual([{ region: 'ap-southeast-2', input: { StackName: 'Switchyard-prod' } }]);
  });

  test('says how to deploy a stack that does not exist', async () => {
    answer = () => {
      throw Object.assign(new Error('Stack with id Switchyard-qa does not exist'), { name: 'ValidationError' });
    };
    const failure = describeStackOutputs('Switchyard-qa', 'eu-west-1');
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow('stack Switchyard-qa does not exist in eu-west-1: deploy it with `npx cdk deploy -c stage=qa`, or check --region');
  });

  test('reports missing credentials in one line and passes other failures on', async () => {
    answer = () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    await expect(describeStackOutputs('Switchyard-prod', undefined)).rejects.toThrow(
      'no AWS credentials to read stack Switchyard-prod: Could not load credentials from any providers',
    );
    answer = () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    };
    await expect(describeStackOutputs('Switchyard-prod', undefined)).rejects.toThrow('Rate exceeded');
    expect(sent.map((s) => s.region)).toEqual([undefined, undefined]);
  });
});
