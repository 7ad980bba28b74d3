import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { getSession, onSessionChange, setSession } from './api/session-store';
import { href, useRoute } from './lib/hash-router';
import { AskScreen } from './screens/ask-screen';
import { AuthScreen } from './screens/auth-screen';
import { DashboardScreen } from './screens/dashboard-screen';
import { ManualsScreen } from './screens/manuals-screen';
import { PageViewerScreen } from './screens/page-viewer-screen';
import { UsageScreen } from './screens/usage-screen';

const NAV = [
  ['ask', 'Ask'],
  ['manuals', 'Manuals'],
  ['usage', 'Usage'],
] as const;
/** Shown to admins only; the server refuses the data to anyone else (403) whatever the link says. */
const ADMIN_NAV = [['dashboard', 'Dashboard']] as const;

/** The server forgets the refresh token (best effort: offline sign-out still works), then the browser does. */
function signOut() {
  const refresh_token = getSession()?.refreshToken;
  if (refresh_token) {
    void fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token }), keepalive: true }).catch(() => {});
  }
  setSession(null);
}

export function App() {
  const [session, setSessionState] = useState(getSession);
  const route = useRoute();
  // A bug in a screen shows a way out instead of a blank page (and never a stack trace).
  const [crash, resetCrash] = useErrorBoundary((e) => console.error(e));
  useEffect(() => onSessionChange(setSessionState), []);
  useEffect(() => void (crash && resetCrash()), [route]); // navigating away clears it

  if (!session) return <AuthScreen initialMode={route.path[0] === 'signup' ? 'signup' : 'signin'} />;

  const [top = 'ask', id, sub, n] = route.path;
  let screen;
  if (crash) {
    screen = (
      <main>
        <h1>Something went wrong on this screen</h1>
        <p role="alert">Your data is safe. Go back, or reload the page.</p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </main>
    );
  } else if (top === 'manuals' && id && sub === 'pages') {
    screen = (
      <PageViewerScreen
        manualId={id}
        page={Math.max(1, Number.parseInt(n ?? '1', 10) || 1)}
        highlight={route.query.get('hl') ?? ''}
        zoom={Number(route.query.get('zoom')) || 1}
      />
    );
  } else if (top === 'manuals') screen = <ManualsScreen />;
  else if (top === 'usage') screen = <UsageScreen />;
  else if (top === 'dashboard') screen = <DashboardScreen />;
  else screen = <AskScreen session={session} />;

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.querySelector('main')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href(['ask'])}>
          Manuel
        </a>
        <nav aria-label="Main">
          {[...NAV, ...(session.isAdmin ? ADMIN_NAV : [])].map(([key, label]) => (
            <a key={key} href={href([key])} aria-current={top === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="email" title={session.email}>
            {session.email}
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <div class="content" id="main">
        {screen}
      </div>
    </>
  );
}
