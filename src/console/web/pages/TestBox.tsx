import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Clause } from '../types';
import { Badge, ErrorLine } from './common';

interface TestResult {
  matched: string[];
  subscriptions: { id: string; matched: boolean; disabled: boolean; clause?: Clause }[];
}

const EXAMPLE = JSON.stringify({ specversion: '1.0', id: 'try-1', source: '/shop', type: 'com.example.orders.created', data: { amount: 120 } }, null, 2);

/** `subscriptions test` against the live file: paste an event, see which subscriptions match and the failing clause of the others. */
export function TestBox() {
  const [text, setText] = useState(EXAMPLE);
  const [result, setResult] = useState<TestResult>();
  const [error, setError] = useState<string>();
  return (
    <section>
      <h2>Test an event against the live subscriptions</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          setResult(undefined);
          let event: unknown;
          try {
            event = JSON.parse(text);
          } catch (err) {
            setError(`not JSON: ${(err as Error).message}`);
            return;
          }
          // In the body: an event's content never goes in a URL.
          api<TestResult>('/test', { event }).then(setResult, (err: Error) => setError(err.message));
        }}
      >
        <textarea name="event" rows={12} cols={80} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <p>
          <button type="submit">Test</button>
        </p>
      </form>
      <ErrorLine error={error} />
      {result && (
        <table class="test-results">
          <tbody>
            {result.subscriptions.map((s) => (
              <tr class={`test-result ${s.matched ? 'match' : 'no-match'}`} data-id={s.id}>
                <th>{s.id}</th>
                <td>
                  {s.matched ? <Badge kind="delivered">match</Badge> : <Badge kind="nomatch">no match</Badge>}
                  {s.disabled ? ' (disabled on the bus: its events become dead letters)' : ''}
                </td>
                <td class="clause">{s.clause ? `${s.clause.path}: ${s.clause.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
