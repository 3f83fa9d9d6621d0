import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../src/wiring/environment';
import { sdkTimeoutsWithin } from '../src/wiring/sdkTimeouts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, lambdaBundling } from './bundling';
import { checkDurationInRange, checkIntegerInRange, checkNonEmpty } from './propChecks';
import { SwitchyardKey } from './SwitchyardKey';

/** Root of the repository: where `package-lock.json` is and what esbuild resolves modules from. */
const REPO_ROOT = path.resolve(__dirname, '..');

/** Props of {@link SwitchyardFunction}. */
export interface SwitchyardFunctionProps {
  /** Path of the handler module (it must `export const handler`), absolute or relative to the repository root. */
  readonly entry: string;
  /** Powertools service name of the function (`POWERTOOLS_SERVICE_NAME`), e.g. `switchyard-ingest`. */
  readonly serviceName: string;
  /**
   * Description of the function.
   * @default - none
   */
  readonly description?: string;
  /**
   * Environment variables, added to `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`, `NODE_OPTIONS` and the SDK
   * timeouts (`SWITCHYARD_SDK_*_TIMEOUT_MS`, below the function's timeout: see `sdkTimeoutsWithin`).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory in MiB (128 to 10240); CPU grows with it.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Maximum duration of one invocation (1 second to 15 minutes).
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for (and capping) the function, 1 to 10000.
   * @default - no reservation: the function uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key the log group is encrypted with. Its key policy must let CloudWatch Logs use it
   * (see `SwitchyardKey.allowCloudWatchLogs`).
   * @default - a new key with rotation enabled, usable by CloudWatch Logs
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A Switchyard Lambda function: NodejsFunction bundled locally by esbuild with the shared options
 * of `bundling.ts` (arm64, Node.js 22, minified CJS, external AWS SDK, source maps), X-Ray tracing,
 * a KMS-encrypted log group with retention, and a role that starts with nothing but writing to that
 * log group (no managed policies): everything else comes from the resources' `grant*` methods.
 */
export class SwitchyardFunction extends Construct implements iam.IGrantable {
  /** The function. */
  public readonly function: NodejsFunction;
  /** The function's execution role. */
  public readonly role: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: SwitchyardFunctionProps) {
    super(scope, id);
    checkNonEmpty(this, 'entry', props.entry);
    checkNonEmpty(this, 'serviceName', props.serviceName);
    checkIntegerInRange(this, 'memorySize', props.memorySize, 128, 10240, 'MiB');
    checkDurationInRange(this, 'timeout', props.timeout, Duration.seconds(1), Duration.minutes(15));
    checkIntegerInRange(this, 'reservedConcurrentExecutions', props.reservedConcurrentExecutions, 1, 10000);

    let logKey = props.logEncryptionKey;
    if (!logKey) {
      const ownKey = new SwitchyardKey(this, 'LogKey', { description: `Switchyard ${props.serviceName} logs` });
      ownKey.allowCloudWatchLogs();
      logKey = ownKey.key;
    }
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: logKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);

    const timeout = props.timeout ?? Duration.seconds(30);
    // A hung AWS call must fail inside the invocation (and be reported), not outlive it.
    const sdkTimeouts = sdkTimeoutsWithin(timeout.toMilliseconds());
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.resolve(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      bundling: lambdaBundling,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.sdkConnectionTimeoutMs]: String(sdkTimeouts.connectionTimeoutMs),
        [ENV.sdkRequestTimeoutMs]: String(sdkTimeouts.requestTimeoutMs),
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the handlers, the esbuild target (node22) and the local bus are built and tested for it, as the project contract fixes; a newer runtime is adopted deliberately in bundling.ts, not by default.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (Tracing.ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*". Every other statement of the role names its resources.',
    });
  }

  /** Adds an environment variable to the function. */
  public addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }
}
