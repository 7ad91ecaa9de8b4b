/** Placeholder while the page is built. */
export function GroupsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Consumer groups</h1>
    </section>
  );
}
