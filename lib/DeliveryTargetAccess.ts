import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nagAcknowledgements';
import { FUNCTION_INVOKE_ACTIONS, PARAMETER_READ_ACTIONS, SECRET_READ_ACTIONS, actions } from './perms';
import { checkNonEmpty } from './propChecks';

/**
 * A Lambda function ARN or pattern: partition, region, 12-digit account, then a function name (letters,
 * digits, `-`, `_`, and the IAM wildcards `*` and `?`) and an optional version or alias.
 */
const FUNCTION_ARN_PATTERN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_*?-]{1,140}(:[A-Za-z0-9_$*?-]{1,128})?$/;

/** Props of {@link DeliveryTargetAccess}. */
export interface DeliveryTargetAccessProps {
  /** Name of the stage: the secret and parameter prefixes, and the default function names, carry it. */
  readonly stage: string;
  /**
   * Lambda functions subscriptions may deliver to: ARNs or ARN patterns (IAM wildcards `*` and `?` in the
   * name), e.g. `arn:aws:lambda:ap-southeast-2:123456789012:function:audit`. An ARN without a qualifier
   * also allows its versions and aliases. A name made only of wildcards is refused.
   * @default - the functions of this account and region named `switchyard-<stage>-*`
   */
  readonly lambdaTargets?: readonly string[];
}

/**
 * What delivering to the targets of `subscriptions.json` may touch beyond the bus's own resources, in one
 * place so the engine and the redeliver function get the same, and so each choice is written down once:
 *
 * - Secrets Manager: `secretsmanager:GetSecretValue` on the secrets named `switchyard/<stage>/...` of this
 *   account and region only. A `{ "secretsManager": id }` reference must name a secret under that prefix
 *   (`switchyard/prod/erp-client-secret`); anything else is refused by IAM and reported by the engine as a
 *   secret it could not resolve. Secrets encrypted with the default `aws/secretsmanager` key or the stage
 *   key decrypt as they are; another customer-managed key must allow the function roles itself.
 * - SSM Parameter Store: `ssm:GetParameter` on the parameters under `/switchyard/<stage>/` (SecureString
 *   with the default `aws/ssm` key or the stage key).
 * - Lambda: `lambda:InvokeFunction` on the functions listed in the stage's `lambdaTargets` (cdk.json), or
 *   by default on the functions named `switchyard-<stage>-*` in the stage's account and region — a naming
 *   convention a team can follow without touching IAM, and one that leaves out the bus's own functions
 *   (their generated names start with `Switchyard-<stage>-`, and IAM compares ARNs case-sensitively).
 *   subscriptions.json cannot widen this: deliveries to another function fail with AccessDeniedException
 *   and are retried on the usual schedule (deploying the function into `lambdaTargets` within that window
 *   still delivers them), then dead-lettered with that error.
 *
 * Each wildcard above is acknowledged to cdk-nag (`AwsSolutions-IAM5`) on the grantee's role with this
 * reasoning.
 */
export class DeliveryTargetAccess extends Construct {
  /** Secrets that `{ "secretsManager": id }` references may name. */
  public readonly secretArnPattern: string;
  /** Parameters that `{ "ssm": name }` references may name. */
  public readonly parameterArnPattern: string;
  /** Lambda functions (and their versions and aliases) subscriptions may deliver to. */
  public readonly functionArnPatterns: readonly string[];
  /** Whether `functionArnPatterns` come from the stage's `lambdaTargets` rather than the default. */
  public readonly configuredFunctions: boolean;

  constructor(scope: Construct, id: string, props: DeliveryTargetAccessProps) {
    super(scope, id);
    checkNonEmpty(this, 'stage', props.stage);
    const stack = Stack.of(this);
    this.secretArnPattern = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `switchyard/${props.stage}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.parameterArnPattern = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `switchyard/${props.stage}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.configuredFunctions = props.lambdaTargets !== undefined;
    this.functionArnPatterns = props.lambdaTargets
      ? this.checkedTargets(props.lambdaTargets).flatMap(withQualifiers)
      : [
          stack.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: `switchyard-${props.stage}-*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ];
  }

  /**
   * Lets `grantee` resolve the stage's secrets and parameters and invoke the allowed functions — and
   * acknowledges the wildcard resources to cdk-nag on its role, each with its reason.
   */
  public grantDeliver(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: actions(SECRET_READ_ACTIONS), resourceArns: [this.secretArnPattern] });
    iam.Grant.addToPrincipal({ grantee, actions: actions(PARAMETER_READ_ACTIONS), resourceArns: [this.parameterArnPattern] });
    iam.Grant.addToPrincipal({ grantee, actions: actions(FUNCTION_INVOKE_ACTIONS), resourceArns: [...this.functionArnPatterns] });

    // The acknowledgements go on the role (an imported principal has no policy cdk-nag could check).
    const role = grantee.grantPrincipal;
    if (!(role instanceof Construct)) return;
    acknowledgeWildcardResource(
      role,
      this.secretArnPattern,
      'Subscriptions name their secrets in subscriptions.json, which changes without a deployment; the grant is limited to GetSecretValue on this stage\'s prefix switchyard/<stage>/ (the trailing * also covers the random suffix Secrets Manager appends to every secret ARN).',
    );
    acknowledgeWildcardResource(
      role,
      this.parameterArnPattern,
      'Subscriptions name their SSM parameters in subscriptions.json, which changes without a deployment; the grant is limited to GetParameter under this stage\'s path /switchyard/<stage>/.',
    );
    for (const arn of this.functionArnPatterns.filter((a) => a.includes('*'))) {
      acknowledgeWildcardResource(
        role,
        arn,
        this.configuredFunctions
          ? 'Lambda targets listed by the operator in the stage\'s lambdaTargets (cdk.json); a pattern or version/alias wildcard there is the operator\'s explicit choice, and InvokeFunction is the only action.'
          : 'Default scope of Lambda targets: InvokeFunction only, on functions of this account and region named switchyard-<stage>-* (and their versions and aliases), so subscriptions.json can add a target without a deployment but cannot reach any other function.',
      );
    }
  }

  private checkedTargets(targets: readonly string[]): string[] {
    if (targets.length === 0) {
      throw new Error(`${this.node.path}: lambdaTargets must list at least one function ARN; leave it out for the default switchyard-<stage>-*`);
    }
    return targets.map((arn, index) => {
      if (Token.isUnresolved(arn)) return arn;
      const where = `${this.node.path}: lambdaTargets[${index}]`;
      if (!FUNCTION_ARN_PATTERN.test(arn)) {
        throw new Error(
          `${where} must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>], wildcards * and ? allowed in the name), got ${JSON.stringify(arn)}`,
        );
      }
      const name = arn.split(':')[6];
      if (/^[*?]+$/.test(name)) {
        throw new Error(`${where} must name functions, not every function of an account, got ${JSON.stringify(arn)}`);
      }
      return arn;
    });
  }
}

/** An unqualified ARN also allows its versions and aliases (`<arn>:*`), which IAM matches separately. */
function withQualifiers(arn: string): string[] {
  if (Token.isUnresolved(arn) || arn.endsWith('*') || arn.split(':').length > 7) return [arn];
  return [arn, `${arn}:*`];
}
