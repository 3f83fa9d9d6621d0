import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { checkDurationInRange, checkNonEmpty } from './propChecks';

/** Props of {@link SwitchyardKey}. */
export interface SwitchyardKeyProps {
  /**
   * Alias of the key, with or without the `alias/` prefix.
   * @default - no alias
   */
  readonly alias?: string;
  /**
   * Description shown in the KMS console.
   * @default 'Switchyard data key'
   */
  readonly description?: string;
  /**
   * What happens to the key when it leaves the stack. A destroyed key is scheduled for deletion
   * after `pendingWindow`, making everything encrypted under it unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Waiting period before a destroyed key is deleted (7 to 30 days).
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * A customer-managed KMS key with yearly automatic rotation: the one key of a stage, encrypting the
 * stream, the tables, the config bucket, the producer-token secret, the log groups and the on-failure
 * queue, and wrapping the event store's payload data keys.
 */
export class SwitchyardKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;
  private logsAllowed = false;
  private alarmsAllowed = false;

  constructor(scope: Construct, id: string, props: SwitchyardKeyProps = {}) {
    super(scope, id);
    checkNonEmpty(this, 'alias', props.alias);
    checkDurationInRange(this, 'pendingWindow', props.pendingWindow, Duration.days(7), Duration.days(30));

    this.key = new kms.Key(this, 'Key', {
      description: props.description ?? 'Switchyard data key',
      enableKeyRotation: true,
      alias: props.alias,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
    });
  }

  /**
   * Lets CloudWatch Logs in this stack's region use the key for log groups of this account
   * (the key policy statement the CloudWatch Logs documentation asks for, scoped by encryption
   * context). Idempotent.
   */
  public allowCloudWatchLogs(): void {
    if (this.logsAllowed) return;
    this.logsAllowed = true;
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }

  /**
   * Lets CloudWatch alarms of this account and region publish to SNS topics encrypted with the key (an alarm's
   * notification is encrypted by SNS with a data key CloudWatch must generate): Decrypt and GenerateDataKey* for
   * the `cloudwatch.amazonaws.com` service, only on behalf of this account's alarms (`aws:SourceAccount`,
   * `aws:SourceArn`, against the confused deputy). Idempotent.
   */
  public allowCloudWatchAlarms(): void {
    if (this.alarmsAllowed) return;
    this.alarmsAllowed = true;
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
  }
}
