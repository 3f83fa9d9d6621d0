import { useState } from 'preact/hooks';
import { api, query } from '../api';
import type { EventSummary } from '../types';
import { ErrorLine, useLoad, when } from './common';

interface Search {
  types: string;
  source: string;
  from: string;
  to: string;
}

/** Stored events, newest first, searched by type pattern, source and arrival window (the store's own query). */
export function Events() {
  const [form, setForm] = useState<Search>({ types: '', source: '', from: '', to: '' });
  const [search, setSearch] = useState<Search>(form);
  const [cursor, setCursor] = useState<string>();
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  const { data, error, loading } = useLoad(
    () => api<{ events: EventSummary[]; next?: string }>(`/events${query({ types: search.types, source: search.source, from: iso(search.from), to: iso(search.to), cursor })}`),
    [search, cursor],
  );
  const field = (name: keyof Search, label: string, type: 'text' | 'datetime-local' = 'text', placeholder = '') => (
    <label>
      {label}
      <input name={name} type={type as 'text'} placeholder={placeholder} value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
    </label>
  );
  return (
    <section>
      <h2>Events</h2>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          setCursor(undefined);
          setSearch({ ...form });
        }}
      >
        {field('types', 'Type pattern', 'text', 'com.example.orders.>')}
        {field('source', 'Source', 'text', '/shop')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit">Search</button>
      </form>
      <ErrorLine error={error} />
      {loading && <p class="muted">Loading…</p>}
      {data && (
        <table class="events">
          <thead>
            <tr>
              <th>arrived</th>
              <th>type</th>
              <th>source</th>
              <th>id</th>
              <th>subject</th>
            </tr>
          </thead>
          <tbody>
            {data.events.map((event) => (
              <tr class="event-row">
                <td>{when(event.arrivedAt)}</td>
                <td>{event.type}</td>
                <td>{event.source}</td>
                <td>
                  <a href={`#/event${query({ source: event.source, id: event.id })}`}>{event.id}</a>
                </td>
                <td>{event.subject ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && data.events.length === 0 && <p class="muted">No stored events match.</p>}
      {data?.next && (
        <button type="button" onClick={() => setCursor(data.next)}>
          Older
        </button>
      )}
    </section>
  );
}
