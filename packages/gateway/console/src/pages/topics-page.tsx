/** Placeholder while the page is built. */
export function TopicsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Topics</h1>
    </section>
  );
}
