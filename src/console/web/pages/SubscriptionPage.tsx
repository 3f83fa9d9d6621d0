import { api } from '../api';
import type { Activity, DeliveryRow, SubscriptionSummary } from '../types';
import { ActivityChart } from './ActivityChart';
import { Attempts, Badge, ConfirmButton, ErrorLine, useLoad, when } from './common';
import { ReplayForm } from './ReplayForm';
import { rulesOf } from './Subscriptions';

interface Deliveries {
  entries: DeliveryRow[];
  more: boolean;
  deliveredAfterRetry: DeliveryRow[];
}

/** One subscription: its rules and state, its last hour as a chart, its deliveries with every attempt, redrive and replay. */
export function SubscriptionPage({ id }: { id: string }) {
  const path = `/subscriptions/${encodeURIComponent(id)}`;
  const shown = useLoad(() => api<{ subscription: SubscriptionSummary; activity: Activity }>(path), [id]);
  const deliveries = useLoad(() => api<Deliveries>(`${path}/deliveries`), [id]);
  const reload = () => {
    shown.reload();
    deliveries.reload();
  };
  const s = shown.data?.subscription;
  const dead = deliveries.data?.entries.filter((e) => e.state === 'dead') ?? [];
  return (
    <section>
      <h2>
        Subscription {id} {s && <Badge kind={s.state}>{s.state}</Badge>}{' '}
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </h2>
      <ErrorLine error={shown.error ?? deliveries.error} />
      {s && (
        <p>
          {rulesOf(s)} → {s.target.kind} {s.target.to} · up to {s.delivery.maxAttempts} attempts{s.delivery.ordered ? ', ordered' : ''}
          {s.disabled ? ` · disabled since ${when(s.disabled.at)}: ${s.disabled.reason}` : ''}{' '}
          {s.state === 'enabled' ? (
            <ConfirmButton label="Disable" question={`Disable ${id}? Its events will become dead letters until it is enabled.`} onConfirm={() => api(`${path}/disable`, { reason: 'disabled from the console' }).then(reload)} />
          ) : (
            <ConfirmButton label="Enable" question={`Enable ${id} and redrive the dead letters the disablement caused?`} onConfirm={() => api(`${path}/enable`, { redrive: true }).then(reload)} />
          )}
        </p>
      )}
      {shown.data && (
        <div>
          <h3>Last hour, per minute</h3>
          <ActivityChart activity={shown.data.activity} />
        </div>
      )}
      <h3>Deliveries in the ledger</h3>
      {dead.length > 0 && (
        <p>
          <ConfirmButton label={`Redrive all ${dead.length} dead`} question={`Redrive every dead letter of ${id}? Each is delivered again now.`} onConfirm={() => api(`${path}/redrive`, { all: true }).then(reload)} />
        </p>
      )}
      {deliveries.data && deliveries.data.entries.length === 0 && <p class="muted">Nothing pending or dead.</p>}
      {deliveries.data?.entries.map((entry) => (
        <div class={`delivery-entry ${entry.state}`} data-id={entry.id}>
          <p>
            <Badge kind={entry.state}>{entry.state}</Badge> <a href={`#/event?source=${encodeURIComponent(entry.source)}&id=${encodeURIComponent(entry.id)}`}>{entry.id}</a> {entry.type} from {entry.source} ·{' '}
            {entry.attempts} attempts
            {entry.nextAttemptAt ? ` · next ${when(entry.nextAttemptAt)}` : ''}
            {entry.deadAt ? ` · dead ${when(entry.deadAt)} (${entry.deadReason})` : ''}{' '}
            {entry.state === 'dead' && (
              <ConfirmButton
                label="Redrive"
                question={`Deliver ${entry.id} to ${id} again now?`}
                onConfirm={() => api(`${path}/redrive`, { lane: entry.lane, sequence: entry.sequence }).then(reload)}
              />
            )}
          </p>
          <Attempts attempts={entry.history ?? []} />
        </div>
      ))}
      {deliveries.data && deliveries.data.deliveredAfterRetry.length > 0 && <h3>Delivered after a retry (last hour)</h3>}
      {deliveries.data?.deliveredAfterRetry.map((entry) => (
        <div class="delivery-entry delivered_after_retry" data-id={entry.id}>
          <p>
            <Badge kind="delivered">delivered after retry</Badge> {entry.id} from {entry.source}
          </p>
          <Attempts attempts={entry.history ?? []} />
        </div>
      ))}
      <h3>Replay</h3>
      <ReplayForm path={path} id={id} />
    </section>
  );
}
