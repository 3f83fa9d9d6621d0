import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Attempt } from '../types';

/** Loads `load()` when `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error: error.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

export function ErrorLine({ error }: { error?: string }) {
  return error ? <p class="error" role="alert">{error}</p> : null;
}

export function when(iso?: string | number): string {
  if (iso === undefined) return '';
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

/** Every attempt of one delivery, oldest first. */
export function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <span class="muted">no attempt logged</span>;
  return (
    <table class="attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>time</th>
          <th>status</th>
          <th>latency</th>
          <th>outcome</th>
          <th>error</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr class="attempt">
            <td>{a.attempt}</td>
            <td>{when(a.at)}</td>
            <td>{a.status ?? '-'}</td>
            <td>{a.durationMs === undefined ? '-' : `${a.durationMs} ms`}</td>
            <td>
              <Badge kind={a.outcome}>{a.outcome}</Badge>
              {a.deadReason ? ` (${a.deadReason})` : ''}
            </td>
            <td>{a.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An action that asks first: the button opens a confirmation naming what will happen. */
export function ConfirmButton({ label, question, onConfirm, disabled }: { label: string; question: string; onConfirm: () => Promise<void>; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!asking) {
    return (
      <button type="button" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="dialog">
      <span>{question}</span>{' '}
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          onConfirm().then(
            () => {
              setBusy(false);
              setAsking(false);
            },
            (e: Error) => {
              setBusy(false);
              setError(e.message);
            },
          );
        }}
      >
        Confirm
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      <ErrorLine error={error} />
    </span>
  );
}
