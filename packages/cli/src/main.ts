#!/usr/bin/env node
/**
 * The `runnel` command. Each subcommand lives in src/commands/.
 */
import './v8-tuning.ts';
import { Command } from 'commander';
import { brokerCommand } from './commands/broker.ts';
import { brokersCommand } from './commands/brokers.ts';
import { configsCommand } from './commands/configs.ts';
import { consumeCommand } from './commands/consume.ts';
import { controllerCommand } from './commands/controller.ts';
import { deleteRecordsCommand } from './commands/delete-records.ts';
import { devCommand } from './commands/dev.ts';
import { featuresCommand } from './commands/features.ts';
import { gatewayCommand } from './commands/gateway.ts';
import { getOffsetsCommand } from './commands/get-offsets.ts';
import { groupsCommand } from './commands/groups.ts';
import { logDirsCommand } from './commands/log-dirs.ts';
import { metadataQuorumCommand } from './commands/metadata-quorum.ts';
import { partitionsCommand } from './commands/partitions.ts';
import { produceCommand } from './commands/produce.ts';
import { quotasCommand } from './commands/quotas.ts';
import { topicsCommand } from './commands/topics.ts';
import { transactionsCommand } from './commands/transactions.ts';

const program = new Command('runnel')
  .description('Runnel: a Kafka-compatible streaming platform')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(devCommand());
program.addCommand(brokerCommand());
program.addCommand(gatewayCommand());
program.addCommand(brokersCommand());
program.addCommand(topicsCommand());
program.addCommand(configsCommand());
program.addCommand(produceCommand());
program.addCommand(consumeCommand());
program.addCommand(groupsCommand());
program.addCommand(controllerCommand());
program.addCommand(partitionsCommand());
program.addCommand(transactionsCommand());
program.addCommand(getOffsetsCommand());
program.addCommand(deleteRecordsCommand());
program.addCommand(logDirsCommand());
program.addCommand(metadataQuorumCommand());
program.addCommand(featuresCommand());
program.addCommand(quotasCommand());

await program.parseAsync(process.argv);
