/**
 * `runnel configs describe|alter`: topic configs, dynamic broker configs
 * (one broker, or the cluster-wide defaults every broker and the
 * controller use) and broker log levels, through DescribeConfigs and
 * IncrementalAlterConfigs — what kafka-configs.sh does. Broker and cluster
 * default changes are stored in the metadata log and take effect without
 * a restart; log levels change in the running broker only.
 */
import type { ConfigChange, ConfigResourceKind, KafkaClient } from '@runnel/client';
import { ConfigAdmin } from '@runnel/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, collectKeyValue, fail, withClient } from '../cluster-connection.ts';
import { configsJson, configsTable, type DescribedTarget } from '../config-output.ts';

interface TargetOptions extends BootstrapOptions {
  topic?: string;
  broker?: string;
  brokerDefaults?: boolean;
  brokerLogger?: string;
  output: 'table' | 'json';
}

interface DescribeOptions extends TargetOptions {
  all?: boolean;
  synonyms?: boolean;
  documentation?: boolean;
  config?: string[];
}

interface AlterOptions extends TargetOptions {
  set?: [string, string][];
  delete?: string[];
  validateOnly?: boolean;
}

function brokerId(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a broker id`);
  return value;
}

function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

function targetOptions(command: Command): Command {
  return command
    .option('--topic <name>', 'a topic')
    .addOption(new Option('--broker <id>', "one broker's dynamic configs").argParser(brokerId))
    .option('--broker-defaults', 'the cluster-wide default broker configs (the "" broker resource)')
    .addOption(new Option('--broker-logger <id>', "one broker's log levels (BROKER_LOGGER)").argParser(brokerId))
    .addOption(
      new Option('--output <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'),
    )
    .addOption(bootstrapOption());
}

/** The one resource the options name, or null (after printing why) when they name none or several. */
function target(options: TargetOptions): { kind: ConfigResourceKind; name: string; shown: DescribedTarget } | null {
  const chosen = [
    options.topic === undefined ? null : { kind: 'topic' as const, name: options.topic, label: 'topic' },
    options.broker === undefined ? null : { kind: 'broker' as const, name: options.broker, label: 'broker' },
    options.brokerDefaults === true ? { kind: 'broker' as const, name: '', label: 'broker-defaults' } : null,
    options.brokerLogger === undefined
      ? null
      : { kind: 'broker-logger' as const, name: options.brokerLogger, label: 'broker-logger' },
  ].filter((t) => t !== null);
  const [only] = chosen;
  if (chosen.length !== 1 || only === undefined) {
    fail('name exactly one of --topic, --broker, --broker-defaults, --broker-logger');
    return null;
  }
  return { kind: only.kind, name: only.name, shown: { kind: only.label, name: only.name } };
}

async function describeConfigs(client: KafkaClient, options: DescribeOptions): Promise<void> {
  const t = target(options);
  if (t === null) return;
  const result = await new ConfigAdmin(client).describe(t.kind, t.name, {
    ...(options.config === undefined ? {} : { keys: options.config }),
    synonyms: options.synonyms === true,
    documentation: options.documentation === true,
  });
  if (result.errorCode !== 0) {
    fail(`${result.errorName}: ${result.errorMessage ?? 'describe failed'}`);
    return;
  }
  // Like kafka-configs.sh: what someone set, unless --all (or named keys) asks for every value.
  const configs =
    options.all === true || options.config !== undefined ? result.configs : result.configs.filter((c) => !c.isDefault);
  process.stdout.write(
    options.output === 'json'
      ? configsJson(t.shown, configs)
      : configsTable(t.shown, configs, {
          synonyms: options.synonyms === true,
          documentation: options.documentation === true,
        }),
  );
}

async function alterConfigs(client: KafkaClient, options: AlterOptions): Promise<void> {
  const t = target(options);
  if (t === null) return;
  const changes: ConfigChange[] = [
    ...(options.set ?? []).map(([name, value]): ConfigChange => ({ name, op: 'set', value })),
    ...(options.delete ?? []).map((name): ConfigChange => ({ name, op: 'delete' })),
  ];
  if (changes.length === 0) {
    fail('nothing to change: give --set key=value and/or --delete key');
    return;
  }
  const validateOnly = options.validateOnly === true;
  const result = await new ConfigAdmin(client).alter(t.kind, t.name, changes, { validateOnly });
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify({ resource: t.shown, validateOnly, ...result })}\n`);
  }
  if (result.errorCode !== 0) {
    fail(`${result.errorName}: ${result.errorMessage ?? 'alter failed'}`);
    return;
  }
  if (options.output === 'table') {
    const what = t.shown.kind === 'broker-defaults' ? 'the cluster-wide broker defaults' : `${t.shown.kind} ${t.name}`;
    process.stdout.write(`${validateOnly ? 'Validated' : 'Changed'} ${changes.length} config(s) of ${what}.\n`);
  }
}

export function configsCommand(): Command {
  const configs = new Command('configs').description(
    'Describe and change topic configs, dynamic broker configs (per broker or cluster-wide) and broker log levels',
  );
  targetOptions(
    configs
      .command('describe')
      .description('Show configs with their values and where each comes from (Kafka config sources)')
      .option('--all', 'every config, including values nobody set (DEFAULT_CONFIG)')
      .addOption(new Option('--config <name>', 'only this config; repeat for more').argParser(collect))
      .option('--synonyms', 'also show every place a value could come from, highest precedence first')
      .option('--documentation', 'also show what each config does'),
  )
    .addHelpText(
      'after',
      `
Sources: DYNAMIC_TOPIC_CONFIG (the topic's own override), DYNAMIC_BROKER_CONFIG
(set on this broker at run time), DYNAMIC_DEFAULT_BROKER_CONFIG (set cluster-wide
at run time), STATIC_BROKER_CONFIG (the broker's command line or config file),
DEFAULT_CONFIG (nobody set it). Without --all only values someone set are shown.

Examples:
  runnel configs describe --topic orders --all
  runnel configs describe --broker 1 --synonyms --output json
  runnel configs describe --broker-defaults
  runnel configs describe --broker-logger 1`,
    )
    .action((options: DescribeOptions) => withClient(options, (client) => describeConfigs(client, options)));
  targetOptions(
    configs
      .command('alter')
      .description('Set or delete configs (incrementally: configs not named keep their values)')
      .addOption(new Option('--set <key=value>', 'set a config; repeat for more').argParser(collectKeyValue))
      .addOption(
        new Option('--delete <key>', 'remove a config, back to the next source; repeat for more').argParser(collect),
      )
      .option('--validate-only', 'check the change without applying it'),
  )
    .addHelpText(
      'after',
      `
Broker configs changed with --broker or --broker-defaults are stored in the
metadata log: they apply at once, on every broker they concern, and survive
restarts. Read-only broker configs are refused with the reason;
num.partitions, default.replication.factor, min.insync.replicas and the
other configs the controller applies can only be set with --broker-defaults.
Log levels (--broker-logger: root or a component, OFF FATAL ERROR WARN INFO
DEBUG TRACE) change the running broker and are not kept across restarts.

Examples:
  runnel configs alter --topic orders --set retention.ms=86400000 --delete segment.bytes
  runnel configs alter --broker-defaults --set num.partitions=6 --set log.retention.ms=259200000
  runnel configs alter --broker 2 --set follower.replication.throttled.rate=10485760
  runnel configs alter --broker-logger 1 --set root=DEBUG`,
    )
    .action((options: AlterOptions) => withClient(options, (client) => alterConfigs(client, options)));
  return configs;
}
