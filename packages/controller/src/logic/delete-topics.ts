/**
 * DeleteTopics as a pure function of the image: topics named by name, then
 * topics named by id (answered with `byTopicId`). A topic named twice in one
 * request (by name or id) is gone by the time its second mention is looked
 * at and is answered as unknown.
 */

import { err, ok } from '@runnel/common';
import type { DeleteTopicResult, MetadataImage, MetadataRecord } from '@runnel/metadata';

export function deleteTopics(
  image: MetadataImage,
  names: readonly string[],
  topicIds: readonly string[] = [],
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
  for (const topicId of topicIds) {
    const topic = image.topicById(topicId);
    if (topic === undefined || deleted.has(topic.name)) {
      results.push({
        name: '',
        byTopicId: topicId,
        result: err('unknown_topic_id', `No topic has id ${topicId}.`),
      });
      continue;
    }
    deleted.add(topic.name);
    records.push({ type: 'remove-topic', topicId });
    results.push({ name: topic.name, byTopicId: topicId, result: ok({ topicId }) });
  }
  return { records, results };
}
