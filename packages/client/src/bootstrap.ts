/**
 * Parses a bootstrap list: "host:port[,host:port...]". IPv6 hosts go in
 * brackets ("[::1]:9092"). A missing port means Kafka's default, 9092.
 */
import { err, ok, type Result } from '@runnel/common';

export interface BrokerAddress {
  host: string;
  port: number;
}

const defaultPort = 9092;

export function parseBootstrap(list: string): Result<BrokerAddress[], 'invalid_bootstrap'> {
  const out: BrokerAddress[] = [];
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry);
    if (match === null) return err('invalid_bootstrap', `"${entry}" is not host:port`);
    const host = match[1] ?? match[2] ?? '';
    const port = match[3] === undefined ? defaultPort : Number(match[3]);
    if (port < 1 || port > 65535) return err('invalid_bootstrap', `"${entry}": port out of range`);
    out.push({ host, port });
  }
  if (out.length === 0) return err('invalid_bootstrap', 'no bootstrap servers given');
  return ok(out);
}
