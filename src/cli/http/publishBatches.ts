import { ApiRequestError } from './apiErrors';
import { EVENT_CONTENT_TYPE, type BusApi } from './BusApi';
import { batchBody, type LineError, type NdjsonBatch } from './ndjsonBatches';

/** What became of a file's events. */
export interface PublishReport {
  /** Published now. */
  accepted: number;
  /** Already held by the bus (same source and id): answered, not published again. */
  duplicate: number;
  /** In a batch the bus refused (or that held a line that is not JSON): not published. */
  refused: number;
  /** Why, per line: each refused event's field and message. */
  errors: LineError[];
}

/** Statuses of a refusal that names the events at fault: that batch is reported and the next one sent. */
const REFUSED_STATUSES = new Set([400, 403, 413]);

/**
 * Sends the batches one after another — never two at once, so the events of one partition key reach the
 * stream in file order — and counts what the bus answered. A batch the bus refuses (400, 403, 413: nothing of it
 * was accepted) is reported line by line and the rest of the file still goes; any other failure (401, no bus, a
 * pushback that outlasted the retries) ends the run with its error.
 */
export async function publishBatches(batches: AsyncIterable<NdjsonBatch>, api: BusApi, onBatch: (events: number) => void = () => undefined): Promise<PublishReport> {
  const report: PublishReport = { accepted: 0, duplicate: 0, refused: 0, errors: [] };
  for await (const batch of batches) {
    if (batch.errors.length > 0) {
      refuse(report, batch, batch.errors);
    } else {
      try {
        const accepted = await api.publish(batchBody(batch), EVENT_CONTENT_TYPE.batch);
        const duplicates = accepted.filter((entry) => entry.duplicate).length;
        report.duplicate += duplicates;
        report.accepted += accepted.length - duplicates;
      } catch (error) {
        if (!(error instanceof ApiRequestError) || !REFUSED_STATUSES.has(error.status)) throw error;
        const errors = error.details.length > 0
          ? error.details.map((detail) => ({ line: batch.lines[detail.index] ?? batch.lines[0], field: detail.field, message: detail.message }))
          : [{ line: batch.lines[0], field: 'batch', message: `${error.code}: ${error.apiMessage}` }];
        refuse(report, batch, errors);
      }
    }
    onBatch(batch.lines.length);
  }
  return report;
}

function refuse(report: PublishReport, batch: NdjsonBatch, errors: LineError[]): void {
  report.refused += batch.lines.length;
  report.errors.push(...errors);
}
