/** The schemas pages (helper E2's area): a placeholder until they land. */
import type { Route } from '../router.ts';

export function SchemasPage(_props: { route: Route }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Schemas</h1>
      <p>The schemas pages are not built yet.</p>
    </section>
  );
}
