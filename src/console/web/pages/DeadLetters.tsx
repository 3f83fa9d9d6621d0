import { useState } from 'preact/hooks';
import { api, query } from '../api';
import type { DeliveryRow } from '../types';
import { Badge, ConfirmButton, ErrorLine, useLoad, when } from './common';

/** Dead letters of every subscription, a page at a time, each redrivable after a confirmation. */
export function DeadLetters() {
  const [cursor, setCursor] = useState<string>();
  const { data, error, reload } = useLoad(() => api<{ entries: DeliveryRow[]; cursor?: string }>(`/dead${query({ cursor })}`), [cursor]);
  return (
    <section>
      <h2>Dead letters</h2>
      <ErrorLine error={error} />
      {data && data.entries.length === 0 && <p class="muted">No dead letters.</p>}
      {data && data.entries.length > 0 && (
        <table class="dead">
          <thead>
            <tr>
              <th>subscription</th>
              <th>event</th>
              <th>type</th>
              <th>source</th>
              <th>dead</th>
              <th>reason</th>
              <th>last error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.entries.map((entry) => (
              <tr class="dead-row" data-id={entry.id}>
                <td>
                  <a href={`#/subscription/${encodeURIComponent(entry.subscriptionId ?? '')}`}>{entry.subscriptionId}</a>
                </td>
                <td>{entry.id}</td>
                <td>{entry.type}</td>
                <td>{entry.source}</td>
                <td>{when(entry.deadAt)}</td>
                <td>
                  <Badge kind="dead">{entry.deadReason}</Badge>
                </td>
                <td>
                  {entry.lastStatus ?? ''} {entry.lastError ?? ''}
                </td>
                <td>
                  <ConfirmButton
                    label="Redrive"
                    question={`Deliver ${entry.id} to ${entry.subscriptionId} again now?`}
                    onConfirm={() => api(`/subscriptions/${encodeURIComponent(entry.subscriptionId ?? '')}/redrive`, { lane: entry.lane, sequence: entry.sequence }).then(reload)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.cursor && (
        <button type="button" onClick={() => setCursor(data.cursor)}>
          Next page
        </button>
      )}
    </section>
  );
}
