/** Placeholder while the page is built. */
export function TopicPage(props: { topic: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{props.topic}</h1>
    </section>
  );
}
