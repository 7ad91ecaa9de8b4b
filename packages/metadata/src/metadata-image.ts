/**
 * MetadataImage: the cluster metadata as of one offset of the metadata log.
 * It is immutable; replay() returns a new image that shares every map the
 * records did not touch, so keeping old images around (a broker mid-request,
 * a test comparing before/after) is cheap and safe.
 *
 * Replay trusts its input: records come from the committed log, so a record
 * that contradicts the image (a partition of an unknown topic, a second
 * topic with a live name) is a controller bug and fails an assert.
 */
import { assert } from '@runnel/common';
import type { ClientQuotas } from './client-quotas.ts';
import { withClientQuota } from './client-quotas.ts';
import type {
  BrokerAdminState,
  BrokerListener,
  ConfigResourceType,
  FeatureLevelRecord,
  MetadataRecord,
} from './records.ts';
import { placementField, placementOf } from './records.ts';

export interface PartitionImage {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** Eligible leader replicas (KIP-966); see PartitionRecord.elr. */
  readonly elr: readonly number[];
  readonly lastKnownElr: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
  /** 'operator' when an operator chose the replicas and their order; absent: the controller did (PartitionPlacement). */
  readonly placement?: 'operator';
}

export interface TopicImage {
  readonly name: string;
  readonly topicId: string;
  /** Indexed by partition number; partitions are always created in order. */
  readonly partitions: readonly PartitionImage[];
}

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly incarnationId: string;
  readonly brokerEpoch: bigint;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
  /**
   * Registration makes a broker live until a fence-broker record. (Kafka
   * registers brokers fenced and unfences them on their first heartbeat;
   * that arrives with heartbeats in a later issue.)
   */
  readonly fenced: boolean;
}

const emptyConfig: ReadonlyMap<string, string> = new Map();

const configKey = (resourceType: ConfigResourceType, name: string): string => `${resourceType}\u0000${name}`;

/**
 * Owned by whoever replayed it; nobody mutates it (the types forbid it, and
 * every map it returns is shared with later images). Queries never fail:
 * absent things are `undefined` or empty.
 */
export class MetadataImage {
  static readonly empty: MetadataImage = new MetadataImage(
    null,
    0n,
    new Map(),
    new Map(),
    new Map(),
    new Map(),
    new Set(),
    -1n,
    { levels: new Map(), epoch: -1n },
    new Map(),
  );

  /** The cluster's id (a ClusterIdRecord); null until the first active controller has written it. */
  readonly clusterId: string | null;
  /** The first producer id not yet handed out to any broker (ProducerIdsRecord); ids below it are taken. */
  readonly nextProducerId: bigint;
  readonly #topicsById: ReadonlyMap<string, TopicImage>;
  readonly #topicIdsByName: ReadonlyMap<string, string>;
  readonly #brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly #configs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Broker ids marked decommissioning (registered or not: the mark outlives registrations). */
  readonly #decommissioning: ReadonlySet<number>;
  /** Offset of the last record replayed into this image; -1n for the empty image. */
  readonly lastOffset: bigint;
  /** Finalized feature levels (FeatureLevelRecord), none at level 0. */
  readonly finalizedFeatures: ReadonlyMap<string, number>;
  /**
   * The offset of the last feature-level record (ApiVersions'
   * finalizedFeaturesEpoch: newer answers have larger epochs); -1 when no
   * feature was ever finalized. After a snapshot, the snapshot's replay
   * offset: still larger than any earlier answer's.
   */
  readonly featuresEpoch: bigint;
  /** Client quotas by entity (ClientQuotaRecord); see client-quotas.ts. */
  readonly clientQuotas: ClientQuotas;

  private constructor(
    clusterId: string | null,
    nextProducerId: bigint,
    topicsById: ReadonlyMap<string, TopicImage>,
    topicIdsByName: ReadonlyMap<string, string>,
    brokers: ReadonlyMap<number, BrokerRegistration>,
    configs: ReadonlyMap<string, ReadonlyMap<string, string>>,
    decommissioning: ReadonlySet<number>,
    lastOffset: bigint,
    features: { levels: ReadonlyMap<string, number>; epoch: bigint },
    clientQuotas: ClientQuotas,
  ) {
    this.clientQuotas = clientQuotas;
    this.finalizedFeatures = features.levels;
    this.featuresEpoch = features.epoch;
    this.clusterId = clusterId;
    this.nextProducerId = nextProducerId;
    this.#topicsById = topicsById;
    this.#topicIdsByName = topicIdsByName;
    this.#brokers = brokers;
    this.#configs = configs;
    this.#decommissioning = decommissioning;
    this.lastOffset = lastOffset;
  }

  topic(name: string): TopicImage | undefined {
    const id = this.#topicIdsByName.get(name);
    return id === undefined ? undefined : this.#topicsById.get(id);
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.#topicsById.get(topicId);
  }

  /** Sorted, so callers that list topics are deterministic. */
  topicNames(): string[] {
    return [...this.#topicIdsByName.keys()].sort();
  }

  get topicCount(): number {
    return this.#topicsById.size;
  }

  partition(topicName: string, index: number): PartitionImage | undefined {
    return this.topic(topicName)?.partitions[index];
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.#brokers.get(brokerId);
  }

  /** Every registered broker, fenced or not, by ascending id. */
  brokers(): BrokerRegistration[] {
    return [...this.#brokers.values()].sort((a, b) => a.brokerId - b.brokerId);
  }

  /** Unfenced brokers by ascending id: the ones that may host new replicas. */
  liveBrokers(): BrokerRegistration[] {
    return this.brokers().filter((b) => !b.fenced);
  }

  /** The operator's mark on a broker: 'decommissioning' from a decommission until it is cancelled. */
  brokerState(brokerId: number): BrokerAdminState {
    return this.#decommissioning.has(brokerId) ? 'decommissioning' : 'active';
  }

  /** Brokers marked decommissioning, by ascending id. */
  decommissioningBrokerIds(): number[] {
    return [...this.#decommissioning].sort((a, b) => a - b);
  }

  /** Live brokers not being decommissioned: the ones new replicas may go to. */
  placeableBrokers(): BrokerRegistration[] {
    return this.liveBrokers().filter((b) => !this.#decommissioning.has(b.brokerId));
  }

  /** Every resource that has config overrides, sorted by type then name. */
  configResources(): { resourceType: ConfigResourceType; name: string }[] {
    return [...this.#configs.keys()].sort().map((key) => {
      const split = key.indexOf('\u0000');
      return { resourceType: key.slice(0, split) as ConfigResourceType, name: key.slice(split + 1) };
    });
  }

  configOverrides(resourceType: ConfigResourceType, name: string): ReadonlyMap<string, string> {
    return this.#configs.get(configKey(resourceType, name)) ?? emptyConfig;
  }

  /**
   * Applies `records`, the last of which sits at `lastOffset` (they occupy
   * consecutive offsets). Each map is copied at most once per call, so a
   * topic with many partitions replays in linear time.
   */
  static replayBatch(image: MetadataImage, records: readonly MetadataRecord[], lastOffset: bigint): MetadataImage {
    if (records.length === 0) return image;
    const firstOffset = lastOffset - BigInt(records.length - 1);
    assert(firstOffset > image.lastOffset, `replay of offset ${firstOffset} onto image at ${image.lastOffset}`);
    const draft = new ImageDraft(
      image.clusterId,
      image.nextProducerId,
      image.#topicsById,
      image.#topicIdsByName,
      image.#brokers,
      image.#configs,
      image.#decommissioning,
    );
    let features = { levels: image.finalizedFeatures, epoch: image.featuresEpoch };
    let quotas = image.clientQuotas;
    for (const [i, record] of records.entries()) {
      // Replayed here, not by the draft: the epoch is the record's own offset.
      if (record.type === 'feature-level') features = withFeature(features, record, firstOffset + BigInt(i));
      else if (record.type === 'client-quota')
        quotas = withClientQuota(quotas, record.entity, record.key, record.value);
      else draft.apply(record);
    }
    const built = draft.finish();
    return new MetadataImage(
      built.clusterId,
      built.nextProducerId,
      built.topicsById,
      built.topicIdsByName,
      built.brokers,
      built.configs,
      built.decommissioning,
      lastOffset,
      features,
      quotas,
    );
  }
}

function withFeature(
  features: { levels: ReadonlyMap<string, number>; epoch: bigint },
  record: FeatureLevelRecord,
  offset: bigint,
): { levels: ReadonlyMap<string, number>; epoch: bigint } {
  const levels = new Map(features.levels);
  if (record.level === 0) levels.delete(record.name);
  else levels.set(record.name, record.level);
  return { levels, epoch: offset };
}

/** Applies one record at `offset` and returns the new image; the old one is unchanged. */
export function replay(image: MetadataImage, record: MetadataRecord, offset: bigint): MetadataImage {
  return MetadataImage.replayBatch(image, [record], offset);
}

/** Applies consecutive records ending at `lastOffset`. */
export function replayBatch(
  image: MetadataImage,
  records: readonly MetadataRecord[],
  lastOffset: bigint,
): MetadataImage {
  return MetadataImage.replayBatch(image, records, lastOffset);
}

interface DraftTopic {
  name: string;
  topicId: string;
  partitions: PartitionImage[];
}

/** The mutable scratch space of one replayBatch call; it never outlives the call. */
class ImageDraft {
  readonly #baseTopics: ReadonlyMap<string, TopicImage>;
  readonly #baseNames: ReadonlyMap<string, string>;
  readonly #baseBrokers: ReadonlyMap<number, BrokerRegistration>;
  readonly #baseConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  #topics: Map<string, TopicImage> | undefined;
  #names: Map<string, string> | undefined;
  #brokers: Map<number, BrokerRegistration> | undefined;
  #configs: Map<string, ReadonlyMap<string, string>> | undefined;
  #decommissioning: ReadonlySet<number>;
  #clusterId: string | null;
  #nextProducerId: bigint;
  /** Topics touched by this batch, with partition arrays this batch owns. */
  readonly #draftTopics = new Map<string, DraftTopic>();
  readonly #draftConfigs = new Map<string, Map<string, string>>();

  constructor(
    clusterId: string | null,
    nextProducerId: bigint,
    topics: ReadonlyMap<string, TopicImage>,
    names: ReadonlyMap<string, string>,
    brokers: ReadonlyMap<number, BrokerRegistration>,
    configs: ReadonlyMap<string, ReadonlyMap<string, string>>,
    decommissioning: ReadonlySet<number>,
  ) {
    this.#clusterId = clusterId;
    this.#nextProducerId = nextProducerId;
    this.#baseTopics = topics;
    this.#baseNames = names;
    this.#baseBrokers = brokers;
    this.#baseConfigs = configs;
    this.#decommissioning = decommissioning;
  }

  apply(record: MetadataRecord): void {
    switch (record.type) {
      case 'cluster-id': {
        assert(this.#clusterId === null, `second cluster-id record (${record.clusterId} after ${this.#clusterId})`);
        this.#clusterId = record.clusterId;
        return;
      }
      case 'producer-ids': {
        assert(
          record.nextProducerId > this.#nextProducerId,
          `producer ids going back: ${record.nextProducerId} after ${this.#nextProducerId}`,
        );
        this.#nextProducerId = record.nextProducerId;
        return;
      }
      case 'register-broker': {
        const { brokerId, incarnationId, brokerEpoch, listeners, rack } = record;
        this.#mutBrokers().set(brokerId, { brokerId, incarnationId, brokerEpoch, listeners, rack, fenced: false });
        return;
      }
      case 'fence-broker':
      case 'unfence-broker': {
        const broker = this.#mutBrokers().get(record.brokerId);
        assert(broker !== undefined, `${record.type} of unregistered broker ${record.brokerId}`);
        assert(broker.brokerEpoch === record.brokerEpoch, `${record.type} with stale epoch ${record.brokerEpoch}`);
        this.#mutBrokers().set(record.brokerId, { ...broker, fenced: record.type === 'fence-broker' });
        return;
      }
      case 'broker-state': {
        const next = new Set(this.#decommissioning);
        if (record.state === 'decommissioning') next.add(record.brokerId);
        else next.delete(record.brokerId);
        this.#decommissioning = next;
        return;
      }
      case 'topic': {
        const names = this.#mutNames();
        assert(!names.has(record.name), `topic record for existing name ${record.name}`);
        assert(!this.#mutTopics().has(record.topicId), `topic record reuses id ${record.topicId}`);
        names.set(record.name, record.topicId);
        this.#draftTopics.set(record.topicId, { name: record.name, topicId: record.topicId, partitions: [] });
        return;
      }
      case 'partition': {
        const topic = this.#draftTopic(record.topicId);
        assert(topic !== undefined, `partition record for unknown topic ${record.topicId}`);
        assert(record.partition >= 0 && record.partition <= topic.partitions.length, 'partition records out of order');
        const { partition, replicas, isr, leader, leaderEpoch, partitionEpoch } = record;
        const { elr, lastKnownElr, addingReplicas, removingReplicas } = record;
        topic.partitions[partition] = {
          partition,
          replicas,
          isr,
          leader,
          leaderEpoch,
          partitionEpoch,
          elr,
          lastKnownElr,
          addingReplicas,
          removingReplicas,
          ...placementField(placementOf(record)),
        };
        return;
      }
      case 'config': {
        const key = configKey(record.resourceType, record.resourceName);
        let draft = this.#draftConfigs.get(key);
        if (draft === undefined) {
          draft = new Map(this.#baseConfigs.get(key));
          this.#draftConfigs.set(key, draft);
        }
        if (record.value === null) draft.delete(record.name);
        else draft.set(record.name, record.value);
        return;
      }
      case 'remove-topic': {
        const topic = this.#draftTopic(record.topicId);
        assert(topic !== undefined, `remove-topic of unknown topic ${record.topicId}`);
        this.#draftTopics.delete(record.topicId);
        this.#mutTopics().delete(record.topicId);
        this.#mutNames().delete(topic.name);
        // A topic's overrides die with it, so a new topic of the same name starts clean.
        const key = configKey('topic', topic.name);
        this.#draftConfigs.delete(key);
        this.#mutConfigs().delete(key);
        return;
      }
    }
  }

  finish(): {
    clusterId: string | null;
    nextProducerId: bigint;
    topicsById: ReadonlyMap<string, TopicImage>;
    topicIdsByName: ReadonlyMap<string, string>;
    brokers: ReadonlyMap<number, BrokerRegistration>;
    configs: ReadonlyMap<string, ReadonlyMap<string, string>>;
    decommissioning: ReadonlySet<number>;
  } {
    for (const [id, topic] of this.#draftTopics) this.#mutTopics().set(id, topic);
    for (const [key, config] of this.#draftConfigs) {
      if (config.size === 0) this.#mutConfigs().delete(key);
      else this.#mutConfigs().set(key, config);
    }
    return {
      clusterId: this.#clusterId,
      nextProducerId: this.#nextProducerId,
      topicsById: this.#topics ?? this.#baseTopics,
      topicIdsByName: this.#names ?? this.#baseNames,
      brokers: this.#brokers ?? this.#baseBrokers,
      configs: this.#configs ?? this.#baseConfigs,
      decommissioning: this.#decommissioning,
    };
  }

  #draftTopic(topicId: string): DraftTopic | undefined {
    const drafted = this.#draftTopics.get(topicId);
    if (drafted !== undefined) return drafted;
    if (this.#topics !== undefined && !this.#topics.has(topicId)) return undefined;
    const base = this.#baseTopics.get(topicId);
    if (base === undefined) return undefined;
    const draft = { name: base.name, topicId: base.topicId, partitions: [...base.partitions] };
    this.#draftTopics.set(topicId, draft);
    return draft;
  }

  #mutTopics(): Map<string, TopicImage> {
    this.#topics ??= new Map(this.#baseTopics);
    return this.#topics;
  }

  #mutNames(): Map<string, string> {
    this.#names ??= new Map(this.#baseNames);
    return this.#names;
  }

  #mutBrokers(): Map<number, BrokerRegistration> {
    this.#brokers ??= new Map(this.#baseBrokers);
    return this.#brokers;
  }

  #mutConfigs(): Map<string, ReadonlyMap<string, string>> {
    this.#configs ??= new Map(this.#baseConfigs);
    return this.#configs;
  }
}
