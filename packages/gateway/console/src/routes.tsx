/**
 * Which page a route shows, and the navigation's entries: one line per
 * page. `#/` is the overview; an unknown section shows a not-found page.
 */
import type { JSX } from 'preact';
import { GroupPage } from './pages/group-page.tsx';
import { GroupsPage } from './pages/groups-page.tsx';
import { MessagesPage } from './pages/messages-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { SchemasPage } from './pages/schemas-page.tsx';
import { TopicPage } from './pages/topic-page.tsx';
import { TopicsPage } from './pages/topics-page.tsx';
import type { Route } from './router.ts';

export interface NavEntry {
  /** The route's first segment: `#/<section>`. */
  section: string;
  label: string;
}

export const navEntries: readonly NavEntry[] = [
  { section: 'overview', label: 'Overview' },
  { section: 'topics', label: 'Topics' },
  { section: 'messages', label: 'Messages' },
  { section: 'groups', label: 'Consumer groups' },
  { section: 'schemas', label: 'Schemas' },
];

export function pageFor(route: Route): JSX.Element {
  const [section = 'overview', id] = route.segments;
  switch (section) {
    case 'overview':
      return <OverviewPage />;
    case 'topics':
      return id === undefined ? <TopicsPage /> : <TopicPage topic={id} />;
    case 'groups':
      return id === undefined ? <GroupsPage /> : <GroupPage groupId={id} />;
    case 'messages':
      return <MessagesPage route={route} />;
    case 'schemas':
      return <SchemasPage route={route} />;
    default:
      return <NotFoundPage />;
  }
}
