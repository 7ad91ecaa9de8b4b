/** What an unknown route shows. */
export function NotFoundPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Not found</h1>
      <p>
        No console page lives here. Go to the <a href="#/">overview</a>.
      </p>
    </section>
  );
}
