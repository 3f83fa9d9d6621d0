import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// cdk-nag's own rendering of a CloudFormation value in its finding ids, so an acknowledgement names
// exactly the finding it answers, whatever tokens (partition, region, account) the ARN contains.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` finding for one wildcard resource (`Resource::<arn>`) on
 * `scope` (a role, or a construct above it), with the reason the wildcard is as narrow as it can be.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
