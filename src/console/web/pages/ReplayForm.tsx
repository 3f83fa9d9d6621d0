import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmButton, ErrorLine } from './common';

interface Count {
  scanned: number;
  matched: number;
  from: string;
  to: string;
}

interface Job {
  jobId: string;
  state: string;
  counts: { scanned: number; matched: number; delivered: number; failed: number };
}

/** Replays a window to this subscription alone: a dry run counts first; only then may the operator start it, after confirming. */
export function ReplayForm({ path, id }: { path: string; id: string }) {
  // datetime-local inputs speak the browser's local time.
  const hourAgo = new Date(Date.now() - 3600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const [form, setForm] = useState({ from: hourAgo, to: '', rate: '10' });
  const [count, setCount] = useState<Count>();
  const [job, setJob] = useState<Job>();
  const [error, setError] = useState<string>();
  const request = () => ({ from: new Date(form.from).toISOString(), ...(form.to ? { to: new Date(form.to).toISOString() } : {}), rate: Number(form.rate) });
  const follow = async (jobId: string) => {
    for (;;) {
      const current = await api<Job>(`/replays/${encodeURIComponent(jobId)}`);
      setJob(current);
      if (current.state !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  return (
    <form
      class="replay"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        setJob(undefined);
        api<Count>(`${path}/replay`, { ...request(), dryRun: true }).then(setCount, (err: Error) => setError(err.message));
      }}
    >
      <label>
        From
        <input name="from" type="datetime-local" value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} />
      </label>
      <label>
        To (default now)
        <input name="to" type="datetime-local" value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} />
      </label>
      <label>
        Rate /s
        <input name="rate" type="number" min="1" value={form.rate} onInput={(e) => setForm({ ...form, rate: e.currentTarget.value })} />
      </label>
      <button type="submit">Count (dry run)</button>
      <ErrorLine error={error} />
      {count && (
        <p class="dry-run">
          Dry run: <strong class="replay-count">{count.matched}</strong> of {count.scanned} stored events from {count.from} to {count.to} match {id}.{' '}
          {count.matched > 0 && (
            <ConfirmButton
              label={`Replay ${count.matched} events`}
              question={`Deliver ${count.matched} events again to ${id} only, at up to ${form.rate}/s?`}
              onConfirm={async () => {
                const started = await api<{ jobId: string }>(`${path}/replay`, { ...request(), to: count.to });
                setCount(undefined);
                void follow(started.jobId).catch((err: Error) => setError(err.message));
              }}
            />
          )}
        </p>
      )}
      {job && (
        <p class="replay-job">
          Replay {job.jobId}: <span class="replay-state">{job.state}</span>, {job.counts.delivered} delivered, {job.counts.failed} failed of {job.counts.matched} matched
        </p>
      )}
    </form>
  );
}
