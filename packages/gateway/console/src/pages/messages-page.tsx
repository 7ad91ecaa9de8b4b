/** The message browser (helper E2's area): a placeholder until it lands. */
import type { Route } from '../router.ts';

export function MessagesPage(_props: { route: Route }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Messages</h1>
      <p>The message browser is not built yet.</p>
    </section>
  );
}
