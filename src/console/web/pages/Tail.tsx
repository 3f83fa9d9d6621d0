import { useEffect, useState } from 'preact/hooks';
import { headers, query } from '../api';
import type { EventSummary } from '../types';
import { ErrorLine, when } from './common';

/** How many tailed events the page keeps. */
const KEPT = 200;

/** The stream as it grows, newest on top: `/tail` answers one JSON line per event until the page goes away. */
export function Tail() {
  const [events, setEvents] = useState<EventSummary[]>([]);
  const [state, setState] = useState('connecting');
  const [error, setError] = useState<string>();
  useEffect(() => {
    const stop = new AbortController();
    (async () => {
      const response = await fetch('/console/api/tail', { headers: headers(), signal: stop.signal });
      if (!response.ok || !response.body) throw new Error(`tail answered HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const item = JSON.parse(line) as EventSummary & { started?: boolean; error?: string; warning?: string };
          if (item.started) setState('live');
          else if (item.error) setError(item.error);
          else if (item.id) setEvents((shown) => [item, ...shown].slice(0, KEPT));
        }
      }
      setState('ended');
    })().catch((e: Error) => {
      if (!stop.signal.aborted) setError(e.message);
    });
    return () => stop.abort();
  }, []);
  return (
    <section>
      <h2>
        Live tail <span class={`tail-state ${state}`}>{state}</span>
      </h2>
      <ErrorLine error={error} />
      <table class="tail">
        <thead>
          <tr>
            <th>arrived</th>
            <th>type</th>
            <th>source</th>
            <th>id</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr class="tail-row">
              <td>{when(event.arrivedAt)}</td>
              <td>{event.type}</td>
              <td>{event.source}</td>
              <td>
                <a href={`#/event${query({ source: event.source, id: event.id })}`}>{event.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
