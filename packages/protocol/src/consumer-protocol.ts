/**
 * The consumer protocol: the bytes a Kafka consumer puts in JoinGroup's
 * protocol metadata (ConsumerProtocolSubscription) and in SyncGroup's
 * assignment (ConsumerProtocolAssignment). The broker forwards both untouched;
 * only the group coordinator reads subscriptions, to learn which topics a
 * "consumer" group is subscribed to.
 *
 * On the wire each is an int16 version followed by the body these definitions
 * describe (never flexible). A reader meeting a version newer than it knows
 * parses the body with its newest layout: versions only ever append fields.
 *
 * Subscription: topics[string], userData(nullable bytes),
 *               [ownedPartitions[ topic, partitions[int32] ] v1+], [generationId v2+], [rackId v3+]
 * Assignment:   assignedPartitions[ topic, partitions[int32] ], userData(nullable bytes)
 *
 * Subscription v1 adds the partitions the member owns (cooperative rebalancing),
 * v2 the generation those were owned in, v3 the member's rack. Assignment v1-v3
 * match v0; they are bumped to stay in step with the subscription.
 */
import type { MessageDef } from './schema/types.ts';

/** Not a Kafka API: data definitions carry no API key. */
const noApiKey = -1;

export const consumerProtocolSubscription: MessageDef = {
  name: 'ConsumerProtocolSubscription',
  apiKey: noApiKey,
  kind: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: '[]string', versions: '0+' },
    // Assignor-specific; e.g. the sticky assignor's previous assignment.
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'ownedPartitions',
      type: '[]',
      versions: '1+',
      ignorable: true,
      fields: [
        { name: 'topic', type: 'string', versions: '1+' },
        { name: 'partitions', type: '[]int32', versions: '1+' },
      ],
    },
    { name: 'generationId', type: 'int32', versions: '2+', default: -1, ignorable: true },
    { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null, ignorable: true },
  ],
};

export const consumerProtocolAssignment: MessageDef = {
  name: 'ConsumerProtocolAssignment',
  apiKey: noApiKey,
  kind: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    {
      name: 'assignedPartitions',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
};
