import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import { SwitchyardStage } from '../../lib/SwitchyardStage';

const REPO_ROOT = join(__dirname, '..', '..');

/** A CloudFormation template as synthesized: its resources by logical id. */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, any> }>;
}

/** The context of cdk.json (feature flags and stages), as `cdk synth` reads it. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** The stages of cdk.json by name, each resolved and checked as `cdk synth -c stage=<name>` would. */
export function cdkJsonStages(): Record<string, StageConfig> {
  const stages = cdkJsonContext().stages as Record<string, unknown>;
  return Object.fromEntries(Object.keys(stages).map((name) => [name, resolveStageConfig(stages, name)]));
}

/**
 * Synthesizes stage `name` with `config` in this process, without bundling the handlers (their code does not change
 * what the stage costs at idle), in us-east-1 (the region of the prices), and answers its template.
 */
export function synthStageTemplate(name: string, config: StageConfig): CfnTemplate {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new SwitchyardStage(app, `Switchyard-${name}`, {
    stage: name,
    config,
    env: { account: '123456789012', region: 'us-east-1' },
  });
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}
