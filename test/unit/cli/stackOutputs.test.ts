// No CloudFormation emulator exists here, so DescribeStacks is answered by aws-sdk-client-mock. What is under
// test is the reading of the answer and the translation of the SDK's errors into one-line messages.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { CliError } from '../../../src/cli/errors';
import { describeStackOutputs } from '../../../src/cli/target/stackOutputs';

const cloudFormation = mockClient(CloudFormationClient);

beforeEach(() => {
  cloudFormation.reset();
});

/** The region each DescribeStacks call was sent to. */
async function regionsAsked(): Promise<string[]> {
  return Promise.all(cloudFormation.calls().map((call) => (call.thisValue as CloudFormationClient).config.region()));
}

describe('describeStackOutputs', () => {
  test("answers the stack's outputs by key, asking DescribeStacks in the given region", async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Switchyard-prod' }).resolves({
      Stacks: [
        {
          StackName: 'Switchyard-prod',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'EventStreamName', OutputValue: 's-1' },
            { OutputKey: 'WorkerTableName', OutputValue: 'w-1' },
          ],
        },
      ],
    });
    await expect(describeStackOutputs('Switchyard-prod', 'ap-southeast-2')).resolves.toEqual({ EventStreamName: 's-1', WorkerTableName: 'w-1' });
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([{ StackName: 'Switchyard-prod' }]);
    expect(await regionsAsked()).toEqual(['ap-southeast-2']);
  });

  test('says how to deploy a stack that does not exist', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Switchyard-qa does not exist'), { name: 'ValidationError' }));
    const failure = describeStackOutputs('Switchyard-qa', 'eu-west-1');
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow('stack Switchyard-qa does not exist in eu-west-1: deploy it with `npx cdk deploy -c stage=qa`, or check --region');
  });

  test('reports missing credentials in one line and passes other failures on', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejectsOnce(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(describeStackOutputs('Switchyard-prod', 'us-east-1')).rejects.toThrow(
      'no AWS credentials to read stack Switchyard-prod: Could not load credentials from any providers',
    );
    await expect(describeStackOutputs('Switchyard-prod', 'us-east-1')).rejects.toThrow('Rate exceeded');
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(2);
  });

  test('a stack without outputs answers none', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Switchyard-dev', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' }] });
    await expect(describeStackOutputs('Switchyard-dev', 'us-east-1')).resolves.toEqual({});
  });
});
