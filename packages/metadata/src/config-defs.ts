/**
 * The config registry: every topic and broker config Runnel knows, with
 * Kafka's names, types and defaults so existing tools and scripts work.
 * Documentation strings are our own. Topic configs list their broker-level
 * synonyms in precedence order; a synonym with `scale` is in a coarser unit
 * (log.retention.hours) and is multiplied into the topic's unit.
 *
 * Broker configs that are not `readOnly` may be changed at run time as
 * dynamic broker configs (per broker, or as the cluster-wide default);
 * `clusterOnly` ones only as the cluster-wide default, because the
 * controller applies them for the whole cluster (topic creation defaults,
 * leader elections). Broker defaults are the values a Runnel broker uses when
 * nothing sets them, so DescribeConfigs reports what is applied.
 */

export { brokerConfigDefs } from './broker-config-defs.ts';
export type { ConfigDef, ConfigSynonymDef, ConfigType, ConfigValidator } from './config-def-builders.ts';
export { longMax } from './config-def-builders.ts';
export { topicConfigDefs } from './topic-config-defs.ts';

import { brokerConfigDefs } from './broker-config-defs.ts';
import type { ConfigDef } from './config-def-builders.ts';
import { topicConfigDefs } from './topic-config-defs.ts';

export const topicConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(topicConfigDefs.map((d) => [d.name, d]));
export const brokerConfigDefsByName: ReadonlyMap<string, ConfigDef> = new Map(brokerConfigDefs.map((d) => [d.name, d]));
