import type { Context, ScheduledEvent } from 'aws-lambda';
import { functionTelemetry } from '../../src/observability';
import { trimEventsPerType, type TrimmedType } from '../../src/store';
import { createAwsClients } from '../../src/wiring/awsClients';
import { ENV, intEnv, requireEnv } from '../../src/wiring/environment';

const telemetry = functionTelemetry('switchyard-trim');
const documents = createAwsClients(process.env).documents;
const tableName = requireEnv(ENV.eventTableName, process.env);
const maxEventsPerType = intEnv(ENV.maxEventsPerType, Number.MAX_SAFE_INTEGER, process.env);

/**
 * Started by a schedule when the stage sets `maxEventsPerType`: keeps at most that many events of each type in the
 * event store, deleting the oldest beyond it (`trimEventsPerType`: Query and COUNT, never a scan). Logs each type
 * it trimmed; a type trimmed only in part (a backlog) is finished by the next runs.
 */
export const handler = async (_event?: Partial<ScheduledEvent>, context?: Context): Promise<{ trimmed: TrimmedType[] }> => {
  telemetry.begin(context);
  try {
    const trimmed = await trimEventsPerType({ documents, tableName, maxEventsPerType });
    for (const entry of trimmed) telemetry.log.info('trimmed a type to its maximum', { ...entry, maxEventsPerType });
    telemetry.metrics.addMetric('EventsTrimmed', 'Count', trimmed.reduce((sum, entry) => sum + entry.deleted, 0));
    return { trimmed };
  } finally {
    telemetry.flush();
  }
};
