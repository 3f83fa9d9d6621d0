import { CliError } from '../errors';

/** Reads a CloudFormation stack's outputs, `{ OutputKey: OutputValue }`. */
export type StackOutputsReader = (stackName: string, region: string | undefined) => Promise<Record<string, string>>;

/** The part of `@aws-sdk/client-cloudformation` used here. */
interface CloudFormationSdk {
  CloudFormationClient: new (config: { region?: string }) => { send(command: unknown): Promise<unknown>; destroy(): void };
  DescribeStacksCommand: new (input: { StackName: string }) => unknown;
}

const SDK_PACKAGE = '@aws-sdk/client-cloudformation';

/**
 * DescribeStacks through the AWS SDK, with the default credential chain (profile, SSO, environment, role).
 * The CloudFormation client is only needed for `--stage`, so it is loaded then, and its absence is reported
 * with the install command rather than failing every command at start.
 */
export const describeStackOutputs: StackOutputsReader = async (stackName, region) => {
  const sdk = loadSdk();
  const client = new sdk.CloudFormationClient(region ? { region } : {});
  try {
    const answer = (await client.send(new sdk.DescribeStacksCommand({ StackName: stackName }))) as {
      Stacks?: Array<{ StackStatus?: string; Outputs?: Array<{ OutputKey?: string; OutputValue?: string }> }>;
    };
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

function loadSdk(): CloudFormationSdk {
  try {
    return require(SDK_PACKAGE) as CloudFormationSdk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new CliError(`--stage reads the stack's outputs with ${SDK_PACKAGE}: install it (npm install ${SDK_PACKAGE})`, 2, { cause: error });
  }
}
