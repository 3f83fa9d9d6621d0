import { api, query } from '../api';
import type { Attempt, EventDetail } from '../types';
import { Attempts, Badge, ErrorLine, useLoad, when } from './common';

/** One stored event: its attributes, its data (decrypted with the operator's rights), its delivery to each subscription. */
export function EventPage({ source, id }: { source: string; id: string }) {
  const { data, error } = useLoad(() => api<EventDetail>(`/event${query({ source, id })}`), [source, id]);
  return (
    <section>
      <h2>Event {id}</h2>
      <ErrorLine error={error} />
      {data && (
        <div>
          <h3>Attributes</h3>
          <table class="attributes">
            <tbody>
              {Object.entries(data.attributes).map(([name, value]) => (
                <tr>
                  <th>{name}</th>
                  <td>{typeof value === 'string' ? value : JSON.stringify(value)}</td>
                </tr>
              ))}
              <tr>
                <th>arrived</th>
                <td>{when(data.arrivedAt)}</td>
              </tr>
            </tbody>
          </table>
          <h3>Data</h3>
          <pre class="data">{JSON.stringify(data.data, null, 2)}</pre>
          <h3>Deliveries</h3>
          <table class="deliveries">
            <tbody>
              {data.deliveries.map((d) => (
                <tr class="delivery">
                  <th>
                    <a href={`#/subscription/${encodeURIComponent(d.subscriptionId)}`}>{d.subscriptionId}</a>
                  </th>
                  <td>
                    {!d.matched && (
                      <span>
                        <Badge kind="nomatch">not matched</Badge> {d.clause?.path}: {d.clause?.message}
                      </span>
                    )}
                    {d.matched && <Badge kind={d.status ?? ''}>{(d.status ?? '').replace(/_/g, ' ')}</Badge>}
                    {d.matched && d.attempts && d.attempts.length > 0 && <Attempts attempts={d.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() }) as Attempt)} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
