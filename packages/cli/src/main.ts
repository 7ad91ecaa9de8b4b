#!/usr/bin/env node
/**
 * The `runnel` command. Each subcommand lives in src/commands/.
 */
import { Command } from 'commander';
import { devCommand } from './commands/dev.ts';

const program = new Command('runnel')
  .description('Runnel: a Kafka-compatible streaming platform')
  .version('0.1.0')
  .showHelpAfterError();

program.addCommand(devCommand());

await program.parseAsync(process.argv);
