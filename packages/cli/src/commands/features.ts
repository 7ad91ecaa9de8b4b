/**
 * `runnel features describe|upgrade|downgrade`: Kafka's kafka-features.sh.
 * describe reads ApiVersions (what a broker supports, what the cluster
 * finalized, and the epoch of that); upgrade and downgrade send
 * UpdateFeatures, which the active controller applies all or nothing.
 * Downgrades are safe ones unless --unsafe; --dry-run validates only.
 */
import type { KafkaClient } from '@runnel/client';
import { ApiKeys, ErrorCode, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';

export interface FeatureRow {
  feature: string;
  supportedMin: number;
  supportedMax: number;
  /** 0 when not finalized. */
  finalized: number;
  epoch: bigint;
}

interface UpdateOptions extends BootstrapOptions {
  feature: [string, number][];
  unsafe?: boolean;
  dryRun?: boolean;
}

/** `--feature name=level`, repeatable. */
export function collectFeature(value: string, previous: readonly [string, number][] = []): [string, number][] {
  const m = /^([A-Za-z0-9._-]+)=(\d+)$/.exec(value.trim());
  if (m?.[1] === undefined || m[2] === undefined) throw new InvalidArgumentError(`"${value}" is not name=level`);
  return [...previous, [m[1], Number.parseInt(m[2], 10)]];
}

export function formatFeatures(rows: readonly FeatureRow[]): string {
  return rows
    .map(
      (r) =>
        `Feature: ${r.feature}\tSupportedMinVersion: ${r.supportedMin}\tSupportedMaxVersion: ${r.supportedMax}\t` +
        `FinalizedVersionLevel: ${r.finalized}\tEpoch: ${r.epoch}\n`,
    )
    .join('');
}

export function featuresCommand(): Command {
  const features = new Command('features').description('Describe, upgrade and downgrade finalized feature levels');
  features
    .command('describe')
    .description("Each feature's supported range and the level the cluster finalized")
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .action((options: BootstrapOptions & OutputOptions) =>
      withClient(options, async (client) => {
        const rows = await describeFeatures(client);
        process.stdout.write(options.output === 'json' ? toJsonLine(rows) : formatFeatures(rows));
      }),
    );
  for (const direction of ['upgrade', 'downgrade'] as const) {
    const command = features
      .command(direction)
      .description(
        direction === 'upgrade'
          ? 'Raise finalized feature levels (every broker must support them)'
          : 'Lower finalized feature levels (level 0 removes the feature)',
      )
      .addOption(
        new Option('--feature <name=level>', 'the feature and its new level; repeat for more')
          .argParser(collectFeature)
          .makeOptionMandatory(),
      )
      .option('--dry-run', 'validate only: nothing is changed');
    if (direction === 'downgrade') {
      command.option('--unsafe', 'an unsafe downgrade (metadata may be lost); default: safe');
    }
    command
      .addOption(bootstrapOption())
      .addHelpText(
        'after',
        `
Refusals (a level a broker does not support, a lower level asked as an
upgrade, any change of metadata.version) print INVALID_UPDATE_VERSION and
exit 1; nothing of the request is applied.

  runnel features ${direction} --feature transaction.version=${direction === 'upgrade' ? 2 : 1}`,
      )
      .action((options: UpdateOptions) => withClient(options, (client) => updateFeatures(client, direction, options)));
  }
  return features;
}

async function describeFeatures(client: KafkaClient): Promise<FeatureRow[]> {
  const connection = await client.anyConnection();
  const response = await connection.request(ApiKeys.ApiVersions, {
    clientSoftwareName: 'runnel-cli',
    clientSoftwareVersion: '1',
  });
  const finalized = new Map((response.finalizedFeatures ?? []).map((f) => [f.name, f.maxVersionLevel]));
  return (response.supportedFeatures ?? [])
    .map((f) => ({
      feature: f.name,
      supportedMin: f.minVersion,
      supportedMax: f.maxVersion,
      finalized: finalized.get(f.name) ?? 0,
      epoch: response.finalizedFeaturesEpoch ?? -1n,
    }))
    .sort((a, b) => (a.feature < b.feature ? -1 : 1));
}

async function updateFeatures(client: KafkaClient, direction: 'upgrade' | 'downgrade', options: UpdateOptions) {
  const upgradeType = direction === 'upgrade' ? 1 : options.unsafe === true ? 3 : 2;
  const connection = await client.anyConnection();
  const response = await connection.request(ApiKeys.UpdateFeatures, {
    timeoutMs: 30_000,
    featureUpdates: options.feature.map(([feature, maxVersionLevel]) => ({ feature, maxVersionLevel, upgradeType })),
    validateOnly: options.dryRun === true,
  });
  if (response.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(response.errorCode)}: ${response.errorMessage ?? ''}`.trimEnd());
    return;
  }
  const verb = options.dryRun === true ? 'Could' : direction === 'upgrade' ? 'Upgraded' : 'Downgraded';
  for (const [feature, level] of options.feature) {
    process.stdout.write(
      options.dryRun === true ? `${verb} ${direction} ${feature} to ${level}.\n` : `${verb} ${feature} to ${level}.\n`,
    );
  }
}
