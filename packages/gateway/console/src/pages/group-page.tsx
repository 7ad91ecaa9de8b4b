/** Placeholder while the page is built. */
export function GroupPage(props: { groupId: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{props.groupId}</h1>
    </section>
  );
}
