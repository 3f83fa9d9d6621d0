#!/usr/bin/env node
/**
 * The CDK app: one stack `Switchyard-<stage>` for the stage named by `-c stage=<name>`, configured
 * from `cdk.json` → `context.stages.<name>`, checked by cdk-nag's AWS Solutions rules during synth
 * (an unacknowledged finding fails the synth).
 *
 *   npx cdk deploy -c stage=dev
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStageConfig, type StageConfig } from '../lib/resolveStageConfig';
import { SwitchyardStage } from '../lib/SwitchyardStage';

const app = new App();
const stage = app.node.tryGetContext('stage') as unknown;

let config: StageConfig;
try {
  config = resolveStageConfig(app.node.tryGetContext('stages'), stage);
} catch (error) {
  // A configuration mistake, not a crash: say what is wrong without a stack trace.
  console.error(`switchyard: ${(error as Error).message}`);
  process.exit(1);
}

const stageName = stage as string;
new SwitchyardStage(app, `Switchyard-${stageName}`, {
  stage: stageName,
  config,
  env: {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION,
  },
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
