import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from '../errors';

/** Reads a CloudFormation stack's outputs, `{ OutputKey: OutputValue }`. */
export type StackOutputsReader = (stackName: string, region: string | undefined) => Promise<Record<string, string>>;

/**
 * DescribeStacks through the AWS SDK, with the default credential chain (profile, SSO, environment, role).
 */
export const describeStackOutputs: StackOutputsReader = async (stackName, region) => {
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = answer.Stacks?.[0];
    if (!stack) throw new CliError(`stack ${stackName} was not found`);
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const { name, message } = error as { name?: string; message?: string };
    if (name === 'ValidationError' && /does not exist/.test(message ?? '')) {
      const stage = stackName.replace(/^Switchyard-/, '');
      throw new CliError(`stack ${stackName} does not exist${region ? ` in ${region}` : ''}: deploy it with \`npx cdk deploy -c stage=${stage}\`, or check --region`, 2, { cause: error });
    }
    if (name === 'CredentialsProviderError' || /credential/i.test(message ?? '')) {
      throw new CliError(`no AWS credentials to read stack ${stackName}: ${message}`, 2, { cause: error });
    }
    throw error;
  } finally {
    client.destroy();
  }
};
