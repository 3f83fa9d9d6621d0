/** Name of the stage stack's output that `switchyard status --stage` reads (JSON of {@link StatusOutput}). */
export const STATUS_OUTPUT = 'StatusMetrics';

/** Where a stage's metrics are: written by `lib/StageObservability.ts`, read by `switchyard status --stage`. */
export interface StatusOutput {
  /** The functions' own metrics (`Switchyard/<stage>`). */
  namespace: string;
  /** The functions' names (dimension `FunctionName` of AWS/Lambda). */
  functions: { ingest: string; router: string; redeliver: string };
  /** The HTTP API's id (dimension `ApiId` of AWS/ApiGateway); absent behind a function URL. */
  apiId?: string;
  dashboard: string;
  alarmTopicArn: string;
}
