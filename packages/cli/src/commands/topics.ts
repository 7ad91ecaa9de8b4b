/**
 * `runnel topics create|list|describe|delete`: topic administration through
 * the Kafka admin APIs (CreateTopics, Metadata, DescribeConfigs, DeleteTopics).
 * Output follows kafka-topics.sh where it has an equivalent.
 */
import type { KafkaClient, TopicInfo, TopicResult } from '@runnel/client';
import { ConfigSources } from '@runnel/client';
import { ErrorCode, errorDescription, errorName } from '@runnel/protocol';
import { Command, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, collectKeyValue, fail, withClient } from '../cluster-connection.ts';
import { parseIntOption } from '../options.ts';

interface CreateOptions extends BootstrapOptions {
  partitions?: number;
  replicationFactor?: number;
  config?: [string, string][];
}

export function topicsCommand(): Command {
  const topics = new Command('topics').description('Create, list, describe and delete topics');
  topics
    .command('create')
    .description('Create a topic')
    .argument('<name>', 'topic name')
    .addOption(
      new Option('--partitions <n>', "number of partitions (default: the broker's num.partitions)").argParser(
        parseIntOption,
      ),
    )
    .addOption(
      new Option(
        '--replication-factor <n>',
        "copies of each partition (default: the broker's default.replication.factor)",
      ).argParser(parseIntOption),
    )
    .addOption(new Option('--config <key=value>', 'topic config override; repeat for more').argParser(collectKeyValue))
    .addOption(bootstrapOption())
    .action((name: string, options: CreateOptions) =>
      withClient(options, async (client) => {
        const [result] = await client.createTopics([
          {
            name,
            ...(options.partitions === undefined ? {} : { numPartitions: options.partitions }),
            ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
            configs: Object.fromEntries(options.config ?? []),
          },
        ]);
        if (succeeded(result)) process.stdout.write(`Created topic ${name}.\n`);
      }),
    );
  topics
    .command('list')
    .description('List topic names, one per line')
    .addOption(bootstrapOption())
    .action((options: BootstrapOptions) =>
      withClient(options, async (client) => {
        const metadata = await client.metadata(null);
        const names = metadata.topics.map((t) => t.name).sort();
        process.stdout.write(names.map((n) => `${n}\n`).join(''));
      }),
    );
  topics
    .command('describe')
    .description('Show partitions, leaders, replicas, ISR and config overrides of a topic')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .action((name: string, options: BootstrapOptions) => withClient(options, (client) => describeTopic(client, name)));
  topics
    .command('delete')
    .description('Delete a topic and its data')
    .argument('<name>', 'topic name')
    .addOption(bootstrapOption())
    .action((name: string, options: BootstrapOptions) =>
      withClient(options, async (client) => {
        const [result] = await client.deleteTopics([name]);
        if (succeeded(result)) process.stdout.write(`Deleted topic ${name}.\n`);
      }),
    );
  return topics;
}

async function describeTopic(client: KafkaClient, name: string): Promise<void> {
  const metadata = await client.metadata([name]);
  const topic = metadata.topics.find((t) => t.name === name);
  if (topic === undefined || topic.errorCode !== ErrorCode.NONE) {
    const code = topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    fail(`${errorName(code)}: ${errorDescription(code)} (topic ${name})`);
    return;
  }
  const [configs] = await client.describeConfigs([{ type: 'topic', name }]);
  if (configs !== undefined && configs.errorCode !== ErrorCode.NONE) {
    fail(`${configs.errorName}: ${configs.errorMessage ?? `cannot describe configs of ${name}`}`);
    return;
  }
  const overrides = (configs?.configs ?? [])
    .filter((c) => c.source === ConfigSources.DYNAMIC_TOPIC_CONFIG)
    .map((c) => `${c.name}=${c.isSensitive ? '<sensitive>' : (c.value ?? '')}`);
  process.stdout.write(formatTopic(topic, overrides));
}

export function formatTopic(topic: TopicInfo, overrides: readonly string[]): string {
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const lines = [
    `Topic: ${topic.name}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${overrides.join(',')}`,
    ...topic.partitions.map(
      (p) =>
        `\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function succeeded(result: TopicResult | undefined): boolean {
  if (result === undefined) {
    fail('UNKNOWN_SERVER_ERROR: the broker returned no result');
    return false;
  }
  if (result.errorCode === ErrorCode.NONE) return true;
  fail(`${result.errorName}: ${result.errorMessage ?? `topic ${result.name}`}`);
  return false;
}
