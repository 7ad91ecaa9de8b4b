/** DeleteTopics as a pure function of the image. */

import { err, ok } from '@runnel/common';
import type { DeleteTopicResult, MetadataImage, MetadataRecord } from '@runnel/metadata';

export function deleteTopics(
  image: MetadataImage,
  names: readonly string[],
): { records: MetadataRecord[]; results: DeleteTopicResult[] } {
  const records: MetadataRecord[] = [];
  const results: DeleteTopicResult[] = [];
  const deleted = new Set<string>();
  for (const name of names) {
    const topic = image.topic(name);
    // A name repeated in one request is gone by the time its second copy is looked at.
    if (topic === undefined || deleted.has(name)) {
      results.push({ name, result: err('unknown_topic', `Topic '${name}' does not exist.`) });
      continue;
    }
    deleted.add(name);
    records.push({ type: 'remove-topic', topicId: topic.topicId });
    results.push({ name, result: ok({ topicId: topic.topicId }) });
  }
  return { records, results };
}
