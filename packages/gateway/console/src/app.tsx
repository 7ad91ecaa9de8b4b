/**
 * The console's frame: a skip link, the header with the navigation, and
 * the page the URL's fragment names (routes.tsx). On a route change the
 * focus moves to the new page's main region, so keyboard and screen reader
 * users land on what they asked for instead of the top of the page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseRoute, type Route } from './router.ts';
import { navEntries, pageFor } from './routes.tsx';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const section = route.segments[0] ?? '';
  const routeKey = route.segments.join('/');

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [routeKey]);

  return (
    <>
      {/* A button, not a link: the fragment belongs to the router, so this moves focus without navigating. */}
      <button type="button" class="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          Runnel console
        </a>
        <nav aria-label="Console sections">
          <ul>
            {navEntries.map((entry) => (
              <li key={entry.section}>
                <a href={`#/${entry.section}`} aria-current={entry.section === section ? 'page' : undefined}>
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {pageFor(route)}
      </main>
    </>
  );
}
