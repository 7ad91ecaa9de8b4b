/** Small pieces every page uses: the page's title block, an error line, a loading line. */
import type { ComponentChildren } from 'preact';

export function PageTitle(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-title">
      <h1 id="page-title">{props.title}</h1>
      {props.children}
    </div>
  );
}

/** An error shown where the data would be; role=alert so screen readers announce it. */
export function ErrorNote(props: { error: string | null }) {
  if (props.error === null) return null;
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}
