/**
 * Topic, broker and broker-logger configs: DescribeConfigs (with sources,
 * synonyms, types and documentation) and IncrementalAlterConfigs. A broker
 * or broker-logger resource named by a broker id is asked of that broker
 * (each broker describes only itself); topics and the cluster-wide default
 * broker resource ("") go to any broker. Used by `runnel configs`. The
 * caller owns the KafkaClient; results keep Kafka error codes as data.
 */
import type { DescribeConfigsResponse, IncrementalAlterConfigsResponse } from '@runnel/protocol';
import { ApiKeys, errorName } from '@runnel/protocol';
import type { Connection } from './connection.ts';
import type { KafkaClient } from './kafka-client.ts';

export const configResourceTypeIds = { topic: 2, broker: 4, 'broker-logger': 8 } as const;
export type ConfigResourceKind = keyof typeof configResourceTypeIds;

/** DescribeConfigs source ids (KIP-226) by id. */
export const configSourceNames: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

/** DescribeConfigs v3+ config types (KIP-569) by id. */
export const configTypeNames: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'BOOLEAN',
  2: 'STRING',
  3: 'INT',
  4: 'SHORT',
  5: 'LONG',
  6: 'DOUBLE',
  7: 'LIST',
  8: 'CLASS',
  9: 'PASSWORD',
};

export interface DescribedConfig {
  name: string;
  value: string | null;
  source: string;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
  type: string;
  documentation: string | null;
  synonyms: { name: string; value: string | null; source: string }[];
}

export interface DescribedResource {
  errorCode: number;
  errorName: string;
  errorMessage: string | null;
  configs: DescribedConfig[];
}

export type ConfigChange =
  | { name: string; op: 'set' | 'append' | 'subtract'; value: string }
  | { name: string; op: 'delete' };

const operationIds = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

export interface AlterResult {
  errorCode: number;
  errorName: string;
  errorMessage: string | null;
}

export class ConfigAdmin {
  readonly #client: KafkaClient;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  async describe(
    kind: ConfigResourceKind,
    name: string,
    options: { keys?: string[]; synonyms?: boolean; documentation?: boolean } = {},
  ): Promise<DescribedResource> {
    const connection = await this.#connectionFor(kind, name);
    const response = await connection.request(ApiKeys.DescribeConfigs, {
      resources: [
        {
          resourceType: configResourceTypeIds[kind],
          resourceName: name,
          configurationKeys: options.keys === undefined || options.keys.length === 0 ? null : options.keys,
        },
      ],
      includeSynonyms: options.synonyms ?? false,
      includeDocumentation: options.documentation ?? false,
    });
    return describedResource(response);
  }

  async alter(
    kind: ConfigResourceKind,
    name: string,
    changes: readonly ConfigChange[],
    options: { validateOnly?: boolean } = {},
  ): Promise<AlterResult> {
    // Logger levels belong to one broker's process; everything else is stored by the controller via any broker.
    const connection = await this.#connectionFor(kind === 'broker-logger' ? kind : 'topic', name);
    const response = await connection.request(ApiKeys.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: configResourceTypeIds[kind],
          resourceName: name,
          configs: changes.map((c) => ({
            name: c.name,
            configOperation: operationIds[c.op],
            value: c.op === 'delete' ? null : c.value,
          })),
        },
      ],
      validateOnly: options.validateOnly ?? false,
    });
    return alterResult(response);
  }

  async #connectionFor(kind: ConfigResourceKind, name: string): Promise<Connection> {
    if (kind === 'topic' || name === '') return this.#client.anyConnection();
    const metadata = await this.#client.metadata([]);
    const broker = metadata.brokers.find((b) => String(b.nodeId) === name);
    if (broker === undefined)
      throw new Error(
        `broker ${name} is not in the cluster (brokers: ${metadata.brokers.map((b) => b.nodeId).join(', ')})`,
      );
    return this.#client.connectionTo({ host: broker.host, port: broker.port });
  }
}

function describedResource(response: DescribeConfigsResponse): DescribedResource {
  const r = response.results[0];
  if (r === undefined) return { errorCode: -1, errorName: errorName(-1), errorMessage: 'no result', configs: [] };
  return {
    errorCode: r.errorCode,
    errorName: errorName(r.errorCode),
    errorMessage: r.errorMessage,
    configs: r.configs.map((c) => ({
      name: c.name,
      value: c.value,
      source: configSourceNames[c.configSource] ?? String(c.configSource),
      isDefault: c.configSource === 5,
      readOnly: c.readOnly,
      sensitive: c.isSensitive,
      type: configTypeNames[c.configType ?? 0] ?? 'UNKNOWN',
      documentation: c.documentation === undefined || c.documentation === '' ? null : c.documentation,
      synonyms: c.synonyms.map((s) => ({
        name: s.name,
        value: s.value,
        source: configSourceNames[s.source] ?? String(s.source),
      })),
    })),
  };
}

function alterResult(response: IncrementalAlterConfigsResponse): AlterResult {
  const r = response.responses[0];
  if (r === undefined) return { errorCode: -1, errorName: errorName(-1), errorMessage: 'no result' };
  return { errorCode: r.errorCode, errorName: errorName(r.errorCode), errorMessage: r.errorMessage };
}
