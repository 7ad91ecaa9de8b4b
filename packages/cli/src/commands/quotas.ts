/**
 * `runnel quotas describe|alter`: client quotas, in the forms of Kafka's
 * kafka-configs.sh (`--client-id`, `--user`, `--client-defaults`,
 * `--user-defaults`, `--add k=v,...`, `--delete k,...`). describe sends
 * DescribeClientQuotas (strict when entities are named, so it shows exactly
 * that entity; everything otherwise); alter sends AlterClientQuotas for one
 * entity, which the controller applies or refuses as a whole.
 */
import type { KafkaClient } from '@runnel/client';
import { ApiKeys, ErrorCode, errorName } from '@runnel/protocol';
import { Command, InvalidArgumentError } from 'commander';
import { type BootstrapOptions, bootstrapOption, fail, withClient } from '../cluster-connection.ts';
import { type OutputOptions, outputOption, toJsonLine } from '../output-format.ts';

interface EntityOptions {
  clientId?: string;
  user?: string;
  clientDefaults?: boolean;
  userDefaults?: boolean;
}

interface AlterOptions extends EntityOptions, BootstrapOptions {
  add: [string, number][];
  delete: string[];
  dryRun?: boolean;
}

export interface QuotaRow {
  /** Entity type -> name; null is the <default> entity. */
  entity: Record<string, string | null>;
  values: Record<string, number>;
}

type EntityPart = { entityType: string; entityName: string | null };

/** `--add producer_byte_rate=1048576,consumer_byte_rate=2097152`, repeatable. */
export function collectQuotaValues(value: string, previous: readonly [string, number][] = []): [string, number][] {
  const out = [...previous];
  for (const item of value.split(',').filter((s) => s.trim().length > 0)) {
    const m = /^\s*([a-z_]+)\s*=\s*([0-9.eE+-]+)\s*$/.exec(item);
    const n = m?.[2] === undefined ? Number.NaN : Number(m[2]);
    if (m?.[1] === undefined || !Number.isFinite(n)) throw new InvalidArgumentError(`"${item}" is not key=number`);
    out.push([m[1], n]);
  }
  return out;
}

/** `--delete producer_byte_rate,request_percentage`, repeatable. */
export function collectQuotaKeys(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ];
}

/** The entity the options name, in wire form; user before client id, as Kafka lists them. */
export function entityOf(options: EntityOptions): EntityPart[] | string {
  if (options.user !== undefined && options.userDefaults === true)
    return '--user and --user-defaults exclude each other';
  if (options.clientId !== undefined && options.clientDefaults === true) {
    return '--client-id and --client-defaults exclude each other';
  }
  const parts: EntityPart[] = [];
  if (options.user !== undefined) parts.push({ entityType: 'user', entityName: options.user });
  if (options.userDefaults === true) parts.push({ entityType: 'user', entityName: null });
  if (options.clientId !== undefined) parts.push({ entityType: 'client-id', entityName: options.clientId });
  if (options.clientDefaults === true) parts.push({ entityType: 'client-id', entityName: null });
  return parts;
}

function entityText(entity: Record<string, string | null>): string {
  return Object.entries(entity)
    .map(([type, name]) => (name === null ? `the default ${type}` : `${type} '${name}'`))
    .join(', ');
}

export function formatQuotas(rows: readonly QuotaRow[]): string {
  if (rows.length === 0) return 'No quotas match.\n';
  return rows
    .map((r) => {
      const values = Object.entries(r.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return `Quota configs for ${entityText(r.entity)} are ${values}\n`;
    })
    .join('');
}

function addEntityOptions(command: Command, verb: string): Command {
  return command
    .option('--client-id <id>', `${verb} the quotas of this client id`)
    .option('--user <principal>', `${verb} the quotas of this user (User:ANONYMOUS until SASL exists)`)
    .option('--client-defaults', `${verb} the default client-id quotas (<default>)`)
    .option('--client-id-defaults', 'the same as --client-defaults')
    .option('--user-defaults', `${verb} the default user quotas (<default>)`);
}

function entityOptions(o: EntityOptions & { clientIdDefaults?: boolean }): EntityOptions {
  return { ...o, clientDefaults: o.clientDefaults === true || o.clientIdDefaults === true };
}

export function quotasCommand(): Command {
  const quotas = new Command('quotas').description('Describe and alter client quotas (user and client-id entities)');
  addEntityOptions(quotas.command('describe').description('Show quotas: of the named entity, or all'), 'show')
    .addOption(outputOption())
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
With no entity option every entity with quotas is shown; naming entity types
shows exactly the entity of those types (Kafka's strict match).

  runnel quotas describe
  runnel quotas describe --client-id payments --output json`,
    )
    .action((options: EntityOptions & BootstrapOptions & OutputOptions) =>
      withClient(options, async (client) => {
        const rows = await describeQuotas(client, entityOptions(options));
        if (rows === null) return;
        process.stdout.write(options.output === 'json' ? toJsonLine(rows) : formatQuotas(rows));
      }),
    );
  addEntityOptions(quotas.command('alter').description('Set or remove quotas of one entity'), 'alter')
    .option('--add <key=value,...>', 'set quotas; repeatable', collectQuotaValues, [])
    .option('--add-config <key=value,...>', 'the same as --add (kafka-configs.sh)', collectQuotaValues, [])
    .option('--delete <key,...>', 'remove quotas; repeatable', collectQuotaKeys, [])
    .option('--delete-config <key,...>', 'the same as --delete (kafka-configs.sh)', collectQuotaKeys, [])
    .option('--dry-run', 'validate only: nothing is changed')
    .addOption(bootstrapOption())
    .addHelpText(
      'after',
      `
Keys: producer_byte_rate and consumer_byte_rate (bytes/s, whole numbers),
request_percentage (percent of one request thread), controller_mutation_rate
(partitions created or deleted per second). Which quota applies to a client
follows Kafka's precedence: user+client-id, user+default client-id, user,
default user+client-id, default user+default client-id, default user,
client-id, default client-id (docs/quotas.md).

  runnel quotas alter --client-id payments --add producer_byte_rate=1048576
  runnel quotas alter --client-defaults --add consumer_byte_rate=10485760
  runnel quotas alter --user alice --client-id app --delete request_percentage`,
    )
    .action((options: AlterOptions & { addConfig: [string, number][]; deleteConfig: string[] }) =>
      withClient(options, (client) =>
        alterQuotas(client, {
          ...entityOptions(options),
          bootstrapServer: options.bootstrapServer,
          add: [...options.add, ...options.addConfig],
          delete: [...options.delete, ...options.deleteConfig],
          ...(options.dryRun === true ? { dryRun: true } : {}),
        }),
      ),
    );
  return quotas;
}

async function describeQuotas(client: KafkaClient, options: EntityOptions): Promise<QuotaRow[] | null> {
  const entity = entityOf(options);
  if (typeof entity === 'string') {
    fail(entity);
    return null;
  }
  const connection = await client.anyConnection();
  const response = await connection.request(ApiKeys.DescribeClientQuotas, {
    components: entity.map((p) => ({
      entityType: p.entityType,
      matchType: p.entityName === null ? 1 : 0,
      match: p.entityName,
    })),
    strict: entity.length > 0,
  });
  if (response.errorCode !== ErrorCode.NONE) {
    fail(`${errorName(response.errorCode)}: ${response.errorMessage ?? ''}`.trimEnd());
    return null;
  }
  return (response.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((p) => [p.entityType, p.entityName])),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

async function alterQuotas(client: KafkaClient, options: AlterOptions): Promise<void> {
  const entity = entityOf(options);
  if (typeof entity === 'string' || entity.length === 0) {
    fail(
      typeof entity === 'string' ? entity : 'name an entity: --client-id, --user, --client-defaults or --user-defaults',
    );
    return;
  }
  if (options.add.length === 0 && options.delete.length === 0) {
    fail('nothing to change: give --add or --delete');
    return;
  }
  const connection = await client.anyConnection();
  const response = await connection.request(ApiKeys.AlterClientQuotas, {
    entries: [
      {
        entity,
        ops: [
          ...options.add.map(([key, value]) => ({ key, value, remove: false })),
          ...options.delete.map((key) => ({ key, value: 0, remove: true })),
        ],
      },
    ],
    validateOnly: options.dryRun === true,
  });
  const result = response.entries[0];
  if (result === undefined || result.errorCode !== ErrorCode.NONE) {
    const code = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    fail(`${errorName(code)}: ${result?.errorMessage ?? ''}`.trimEnd());
    return;
  }
  const shown = entityText(Object.fromEntries(entity.map((p) => [p.entityType, p.entityName])));
  const verb = options.dryRun === true ? 'Would alter' : 'Altered';
  process.stdout.write(`${verb} quotas of ${shown}.\n`);
}
