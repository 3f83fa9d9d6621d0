import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { EMITTED_METRIC_NAMES } from '../src/observability/constants';

/** The period of every dashboard line and alarm of a stage. */
export const STAGE_METRIC_PERIOD = Duration.minutes(5);

/**
 * The functions' own metrics in a stage's namespace, as Powertools emits them: dimension `service` only.
 * A name the code does not emit is refused here, so a dashboard or an alarm can never watch a metric that
 * never comes (see `EMITTED_METRIC_NAMES`).
 */
export class StageMetrics {
  constructor(public readonly namespace: string) {}

  /** `metricName` of one function (`service`), with `statistic` (`Sum`, `Maximum`, `p99`, …) over the period. */
  public of(metricName: string, service: string, statistic = 'Sum', label?: string): cloudwatch.Metric {
    if (!EMITTED_METRIC_NAMES.includes(metricName)) {
      throw new Error(`StageMetrics: no function emits the metric ${JSON.stringify(metricName)}; emitted are ${EMITTED_METRIC_NAMES.join(', ')}`);
    }
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { service },
      statistic,
      period: STAGE_METRIC_PERIOD,
      label: label ?? `${metricName} (${service})`,
    });
  }

  /** The sum of one count over several functions (`Delivered` of the router and the redeliver function). */
  public total(metricName: string, services: readonly string[], label = metricName): cloudwatch.IMetric {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    // Ids unique across one graph, which may hold several sums (`delivered0`, `deadLettered1`, …).
    const prefix = metricName.charAt(0).toLowerCase() + metricName.slice(1);
    services.forEach((service, index) => (usingMetrics[`${prefix}${index}`] = this.of(metricName, service)));
    return new cloudwatch.MathExpression({
      // FILL(…, 0): a function that emitted nothing in a period adds 0 instead of blanking the sum.
      expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
      usingMetrics,
      label,
      period: STAGE_METRIC_PERIOD,
    });
  }
}
