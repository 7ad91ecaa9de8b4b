/**
 * What the client-side commands (topics, produce, consume) share: the
 * --bootstrap-server option, opening and closing a KafkaClient around a
 * command, repeatable key=value options, and how failures are reported.
 */
import { ConnectionError, KafkaClient, KafkaError } from '@runnel/client';
import { InvalidArgumentError, Option } from 'commander';

export interface BootstrapOptions {
  bootstrapServer: string;
}

export function bootstrapOption(): Option {
  return new Option('--bootstrap-server <host:port>', 'broker(s) to connect to, comma-separated')
    .default('127.0.0.1:9092')
    .env('RUNNEL_BOOTSTRAP_SERVER');
}

/** Commander collector for a repeatable key=value option. */
export function collectKeyValue(value: string, previous: readonly [string, string][] = []): [string, string][] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

/** Connects, runs `body`, closes. A KafkaError or ConnectionError is printed and sets exit code 1. */
export async function withClient(
  options: BootstrapOptions,
  body: (client: KafkaClient) => Promise<void>,
): Promise<void> {
  let client: KafkaClient | null = null;
  try {
    client = await KafkaClient.connect({ bootstrap: options.bootstrapServer, clientId: 'runnel-cli' });
    await body(client);
  } catch (error) {
    if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
    if (error instanceof KafkaError) fail(error.message);
    else fail(`${error.reason === 'connect_failed' ? 'cannot connect to' : 'request failed at'} ${error.message}`);
  } finally {
    client?.close();
  }
}

/** Prints an error line and makes the process exit 1 once it is done. */
export function fail(message: string): void {
  process.stderr.write(`runnel: ${message}\n`);
  process.exitCode = 1;
}
