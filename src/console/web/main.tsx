import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, saveToken, savedToken } from './api';
import { DeadLetters } from './pages/DeadLetters';
import { EventPage } from './pages/EventPage';
import { Events } from './pages/Events';
import { SubscriptionPage } from './pages/SubscriptionPage';
import { Subscriptions } from './pages/Subscriptions';
import { Tail } from './pages/Tail';
import { TestBox } from './pages/TestBox';

/** The page's place: `#/events`, `#/subscription/orders`, `#/event?source=…&id=…` (the hash never reaches the server). */
function useRoute(): [string, URLSearchParams] {
  const read = (): [string, URLSearchParams] => {
    const [path, search] = (location.hash.slice(1) || '/events').split('?');
    return [path ?? '/events', new URLSearchParams(search ?? '')];
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

const NAV: [string, string][] = [
  ['/events', 'Events'],
  ['/subscriptions', 'Subscriptions'],
  ['/dead', 'Dead letters'],
  ['/tail', 'Live tail'],
  ['/test', 'Test an event'],
];

/** Asks for the bus's token when the API answers 401; kept for this tab only. */
function Login({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      class="login"
      onSubmit={(e) => {
        e.preventDefault();
        saveToken(token);
        onDone();
      }}
    >
      <h2>This bus has a token</h2>
      <p>Enter it to open the console. It is kept in this tab only and sent as a header.</p>
      <input type="password" name="token" aria-label="token" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      <button type="submit">Open</button>
    </form>
  );
}

function App() {
  const [path, params] = useRoute();
  const [info, setInfo] = useState<{ description: string; operator: string } | null>(null);
  const [failure, setFailure] = useState<ApiError | Error | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    api<{ description: string; operator: string }>('/info').then(
      (answer) => {
        setInfo(answer);
        setFailure(null);
      },
      (error: Error) => setFailure(error),
    );
  }, [attempt]);
  if (failure instanceof ApiError && failure.status === 401) {
    return (
      <div>
        {savedToken() !== null && <p class="error">That token was refused.</p>}
        <Login onDone={() => setAttempt(attempt + 1)} />
      </div>
    );
  }
  if (failure) return <p class="error">{failure.message}</p>;
  if (info === null) return <p class="muted">Connecting…</p>;
  const subscription = /^\/subscription\/(.+)$/.exec(path)?.[1];
  return (
    <div>
      <header>
        <h1>Switchyard</h1>
        <nav>
          {NAV.map(([href, label]) => (
            <a href={`#${href}`} class={path === href ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {info.description} · {info.operator}
        </span>
      </header>
      <main>
        {path === '/events' && <Events />}
        {path === '/event' && <EventPage source={params.get('source') ?? ''} id={params.get('id') ?? ''} />}
        {path === '/subscriptions' && <Subscriptions />}
        {subscription !== undefined && <SubscriptionPage id={decodeURIComponent(subscription)} />}
        {path === '/dead' && <DeadLetters />}
        {path === '/tail' && <Tail />}
        {path === '/test' && <TestBox />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
