import type { LedgerEntry } from '../../delivery/ledger/types';

/** An entry for `--json`: its position, history and the event's identity, without the event's data. */
export function describeEntry(entry: LedgerEntry): Record<string, unknown> {
  const { event, ...rest } = entry;
  return { ...rest, event: { source: event.source, id: event.id, type: event.type, ...(event.subject !== undefined ? { subject: event.subject } : {}) } };
}
