import { api } from '../api';
import type { SubscriptionSummary } from '../types';
import { Badge, ErrorLine, useLoad } from './common';

/** Rules of a subscription in one line: types, subjects, filter. */
export function rulesOf(s: Pick<SubscriptionSummary, 'types' | 'subjects' | 'filter'>): string {
  const parts = [
    s.types ? `types ${s.types.join(', ')}` : '',
    s.subjects ? `subjects ${s.subjects.join(', ')}` : '',
    s.filter ? `filter ${JSON.stringify(s.filter)}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || 'every event';
}

/** Every subscription of the live subscriptions.json: rules, target, state, its last hour and its ledger. */
export function Subscriptions() {
  const { data, error, loading } = useLoad(() => api<{ subscriptions: SubscriptionSummary[] }>('/subscriptions'), []);
  return (
    <section>
      <h2>Subscriptions</h2>
      <p class="muted">
        Last hour: events matched, then attempts from the delivery log. First-attempt successes are not logged, so “ok first try” counts matched events with no logged failure; latency is of
        logged attempts only.
      </p>
      <ErrorLine error={error} />
      {loading && <p class="muted">Loading…</p>}
      {data && (
        <table class="subscriptions">
          <thead>
            <tr>
              <th>id</th>
              <th>rules</th>
              <th>target</th>
              <th>state</th>
              <th>matched</th>
              <th>ok first try</th>
              <th>retried ok</th>
              <th>retries</th>
              <th>dead (1 h)</th>
              <th>p50 / p99</th>
              <th>pending</th>
              <th>dead</th>
            </tr>
          </thead>
          <tbody>
            {data.subscriptions.map((s) => (
              <tr class="subscription-row" data-id={s.id}>
                <td>
                  <a href={`#/subscription/${encodeURIComponent(s.id)}`}>{s.id}</a>
                </td>
                <td class="rules">{rulesOf(s)}</td>
                <td>
                  {s.target.kind} {s.target.to}
                </td>
                <td>
                  <Badge kind={s.state}>{s.state}</Badge>
                </td>
                <td>{s.lastHour?.matched}</td>
                <td>{s.lastHour?.firstAttempt}</td>
                <td>{s.lastHour?.delivered}</td>
                <td>{s.lastHour?.retry}</td>
                <td>{s.lastHour?.dead}</td>
                <td>{s.lastHour?.p50Ms === undefined ? '-' : `${s.lastHour.p50Ms} / ${s.lastHour.p99Ms} ms`}</td>
                <td class="pending-count">{s.pending}</td>
                <td class="dead-count">{s.dead}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
