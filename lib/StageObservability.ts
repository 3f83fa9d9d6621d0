import { CfnOutput, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE_VARIABLE, metricsNamespaceOf, workerServiceName } from '../src/observability/constants';
import { STATUS_OUTPUT, type StatusOutput } from '../src/observability/statusOutput';
import type { OrderedWorkerFunction } from './OrderedWorkerFunction';
import { StageAlarms, type StageAlarmThresholds } from './StageAlarms';
import { StageDashboard } from './StageDashboard';
import { StageMetrics } from './StageMetrics';
import type { SwitchyardFunction } from './SwitchyardFunction';
import type { SwitchyardKey } from './SwitchyardKey';

/** Props of {@link StageObservability}. */
export interface StageObservabilityProps extends StageAlarmThresholds {
  readonly stage: string;
  /** The stage key (encrypts the alarm topic). */
  readonly encryptionKey: SwitchyardKey;
  readonly ingest: SwitchyardFunction;
  readonly router: SwitchyardFunction;
  readonly redeliver: SwitchyardFunction;
  /** The HTTP API in front of ingest. @default - ingest behind a function URL (its own 5xx alarm, no API lines) */
  readonly api?: apigw.IHttpApi;
  /** @default - no e-mail subscription */
  readonly alarmEmail?: string;
}

/**
 * Everything an operator watches of a stage: every function's metrics in the stage's own namespace
 * (`Switchyard/<stage>`, set as `POWERTOOLS_METRICS_NAMESPACE`), the dashboard, the alarms and their topic, and the
 * `StatusMetrics` output that `switchyard status --stage` reads. Workers are added with {@link addWorker}.
 */
export class StageObservability extends Construct {
  public readonly namespace: string;
  public readonly dashboard: StageDashboard;
  public readonly alarms: StageAlarms;

  constructor(scope: Construct, id: string, props: StageObservabilityProps) {
    super(scope, id);
    this.namespace = metricsNamespaceOf(props.stage);
    for (const fn of [props.ingest, props.router, props.redeliver]) fn.addEnvironment(METRICS_NAMESPACE_VARIABLE, this.namespace);
    const metrics = new StageMetrics(this.namespace);
    const functions = { ingest: props.ingest.function, router: props.router.function, redeliver: props.redeliver.function };
    this.dashboard = new StageDashboard(this, 'Dashboard', { stage: props.stage, metrics, api: props.api, ...functions });
    this.alarms = new StageAlarms(this, 'Alarms', { ...props, metrics, ...functions });

    const status: StatusOutput = {
      namespace: this.namespace,
      functions: { ingest: functions.ingest.functionName, router: functions.router.functionName, redeliver: functions.redeliver.functionName },
      ...(props.api ? { apiId: props.api.apiId } : {}),
      dashboard: this.dashboard.dashboard.dashboardName,
      alarmTopicArn: this.alarms.topic.topicArn,
    };
    const stack = Stack.of(this);
    new CfnOutput(stack, STATUS_OUTPUT, { value: stack.toJsonString(status), description: 'What switchyard status --stage reads from CloudWatch (JSON)' });
    new CfnOutput(stack, 'DashboardName', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard of the stage' });
    new CfnOutput(stack, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'SNS topic every alarm of the stage notifies' });
  }

  /**
   * Puts a Lambda worker of this stage's stream in the stage's namespace, on the dashboard (iterator age, errors,
   * throttles, events handled and failed) and under alarms (iterator age, errors, throttles).
   * @param serviceName the worker's `serviceName` prop, when it was given one
   */
  public addWorker(consumer: string, worker: OrderedWorkerFunction, serviceName = workerServiceName(consumer)): void {
    worker.worker.addEnvironment(METRICS_NAMESPACE_VARIABLE, this.namespace);
    this.dashboard.addWorker(consumer, worker.function, serviceName);
    this.alarms.addWorker(consumer, worker.function);
  }
}
