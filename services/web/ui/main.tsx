import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ActivityPanel } from './activity.tsx';
import { type ApiError, onAuthProblem, readToken, saveToken } from './api.ts';
import { TodosView } from './todos.tsx';
import { WebhooksView } from './webhooks.tsx';
import './styles.css';

type Route = { view: 'todos'; focusId?: number } | { view: 'webhooks' };

/** `#/webhooks`, `#/todos`, `#/todos/12` (a todo to show), `` (the todos); other fragments (`#main`) are not views. */
function routeOf(hash: string): Route | undefined {
  if (hash === '#/webhooks') return { view: 'webhooks' };
  if (hash === '' || hash === '#/todos') return { view: 'todos' };
  const focus = /^#\/todos\/(\d+)$/.exec(hash)?.[1];
  return focus ? { view: 'todos', focusId: Number(focus) } : undefined;
}

function TokenForm() {
  const [value, setValue] = useState(readToken());
  const [saved, setSaved] = useState('');
  return (
    <form
      class="token"
      onSubmit={(event) => {
        event.preventDefault();
        saveToken(value.trim());
        setSaved(value.trim() ? 'Token saved in this browser.' : 'Token cleared.');
      }}
    >
      <label for="access-token">Access token</label>
      <input
        id="access-token"
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={value}
        aria-describedby="access-token-hint"
        onInput={(event) => setValue(event.currentTarget.value)}
      />
      <button type="submit">Save token</button>
      <p class="hint" id="access-token-hint">
        Locally: the contents of <code>.data/admin.token</code>. Kept in this browser only.{' '}
        <span role="status">{saved}</span>
      </p>
    </form>
  );
}

function AuthBanner() {
  const [problem, setProblem] = useState<ApiError>();
  useEffect(() => onAuthProblem(setProblem), []);
  if (!problem) return null;
  return (
    <div class="banner" role="alert">
      {problem.status === 401 ? (
        <p>
          The API needs an access token ({problem.message}). Paste the token from <code>.data/admin.token</code> into{' '}
          <a href="#access-token">Access token</a> and save it.
        </p>
      ) : (
        <p>
          Your access token is not allowed to do this ({problem.message}). Use a token with the right scope, such as the
          one in <code>.data/admin.token</code>.
        </p>
      )}
    </div>
  );
}

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.hash) ?? { view: 'todos' });
  useEffect(() => {
    const follow = () => setRoute((current) => routeOf(location.hash) ?? current);
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  useEffect(() => {
    document.title = route.view === 'webhooks' ? 'Webhooks · TaskOverflow' : 'Todos · TaskOverflow';
  }, [route.view]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <div class="brand">
          <h1>TaskOverflow</h1>
          <p>Every change is an event; watch it fan out to calendar, audit and webhooks.</p>
        </div>
        <TokenForm />
        <nav aria-label="Views">
          <a href="#/todos" aria-current={route.view === 'todos' ? 'page' : undefined}>
            Todos
          </a>
          <a href="#/webhooks" aria-current={route.view === 'webhooks' ? 'page' : undefined}>
            Webhooks
          </a>
        </nav>
      </header>
      <AuthBanner />
      <div class="layout">
        <main id="main" tabIndex={-1}>
          {route.view === 'webhooks' ? <WebhooksView /> : <TodosView focusId={route.focusId} />}
        </main>
        <aside aria-label="Live activity">
          <ActivityPanel />
        </aside>
      </div>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
