/**
 * `partition.metadata`, the file beside each partition's log that names the
 * topic id the log belongs to (KIP-516): `version: 0` and `topic_id: <uuid>`
 * lines. The broker writes it (atomically) before the log's first file and
 * checks it whenever it opens the log, so a log left by a deleted topic is
 * never served under a newer topic of the same name.
 *
 * Pure: parsing, formatting, and what to do with a partition directory
 * given what its file says. PartitionManager does the I/O.
 */
import { isUuid } from '@runnel/metadata';

export const partitionMetadataFile = 'partition.metadata';
const currentVersion = 0;

/** What a partition directory's file says. */
export type OnDiskTopicId =
  | { readonly kind: 'absent' }
  | { readonly kind: 'id'; readonly topicId: string }
  /** Present but not a file this broker wrote (another version, damaged): its log is neither served nor deleted. */
  | { readonly kind: 'unreadable'; readonly reason: string };

export function formatPartitionMetadata(topicId: string): string {
  return `version: ${currentVersion}\ntopic_id: ${topicId}\n`;
}

export function parsePartitionMetadata(text: string): OnDiskTopicId {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const version = fields.get('version');
  if (version !== String(currentVersion)) return { kind: 'unreadable', reason: `version ${version ?? 'missing'}` };
  const topicId = fields.get('topic_id');
  if (topicId === undefined || !isUuid(topicId)) {
    return { kind: 'unreadable', reason: `topic_id ${topicId ?? 'missing'}` };
  }
  return { kind: 'id', topicId };
}

/**
 * - `open`: the directory holds this topic's log.
 * - `create`: there is no directory; make it, write the file, start an empty log.
 * - `replace`: the directory holds another topic's log (an earlier topic of
 *   the same name), or has no file at all — which no live log has, since the
 *   file is written before the log's first file: a deletion cut short by a
 *   crash leaves that. Delete it and start as for `create`.
 * - `refuse`: the file cannot be read; leave everything as it is and keep
 *   the partition closed (an operator looks).
 */
export type LogDirectoryAction = 'open' | 'create' | 'replace' | 'refuse';

export function logDirectoryAction(
  onDisk: OnDiskTopicId,
  directoryExists: boolean,
  wanted: string,
): LogDirectoryAction {
  switch (onDisk.kind) {
    case 'id':
      return onDisk.topicId === wanted ? 'open' : 'replace';
    case 'absent':
      return directoryExists ? 'replace' : 'create';
    case 'unreadable':
      return 'refuse';
  }
}
