import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The context of cdk.json (feature flags and stages), so tests synthesize as `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** An app with cdk.json's feature flags; `bundle: false` skips esbuild (stacks whose code is not under test). */
export function testApp(options: { bundle?: boolean } = {}): App {
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  return new App({ context });
}

/** A stack with an explicit environment (account and region resolve to literals). */
export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'ap-southeast-2' } });
}

/** A role to grant things to. */
export function grantee(stack: Stack, id = 'Grantee'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** `"<action> <resource as CloudFormation JSON>"`, the unit the grant tests compare. */
export function pair(stack: Stack, action: string, resource: unknown): string {
  return `${action} ${JSON.stringify(stack.resolve(resource))}`;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Every (action, resource) an identity policy attached to `role` allows, however the statements were
 * merged or split — so tests assert exactly what a principal may do.
 */
export function allowedPairs(template: Template, stack: Stack, role: iam.IRole): Set<string> {
  const roleRef = JSON.stringify(stack.resolve((role.node.defaultChild as iam.CfnRole).ref));
  const pairs = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as unknown[];
    if (!roles.some((r) => JSON.stringify(r) === roleRef)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of asArray(statement.Action as string | string[])) {
        for (const resource of asArray(statement.Resource)) {
          pairs.add(`${action} ${JSON.stringify(resource)}`);
        }
      }
    }
  }
  return pairs;
}

/** Every pair of `actions` × `resources`. */
export function pairs(stack: Stack, actions: readonly string[], resources: unknown[]): string[] {
  return actions.flatMap((action) => resources.map((resource) => pair(stack, action, resource)));
}

/** The unacknowledged cdk-nag AWS Solutions findings (errors and warnings) in `scope`. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath ?? '?'}: ${v.description}`),
  );
}
