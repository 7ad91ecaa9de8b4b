/**
 * Records read with kcat (librdkafka) with their exact bytes: a header line
 * per record with its partition, offset and key and value lengths (-1 for
 * null), then the raw key and value, so binary keys and values (newlines
 * and zero bytes included) come back byte for byte.
 */
import { kcat } from './kcat.ts';

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** Every record of one partition (all partitions when none is given), read with kcat to the end. */
export async function kcatRecords(bootstrap: string, topic: string, partition?: number): Promise<ReadRecord[]> {
  // A header line with the lengths (-1 for null), then the raw key and value bytes.
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %K %S\n%k%s'];
  if (partition !== undefined) args.push('-p', String(partition));
  const result = await kcat(args);
  if (result.code !== 0) throw new Error(`kcat read of ${topic} failed: ${result.stderr}`);
  const out = result.stdout;
  const records: ReadRecord[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf(0x0a, at);
    const [p, o, k, s] = out.subarray(at, end).toString('utf8').split(' ').map(Number);
    at = end + 1;
    const take = (length: number | undefined): Buffer | null => {
      if (length === undefined || length < 0) return null;
      const bytes = out.subarray(at, at + length);
      at += length;
      return Buffer.from(bytes);
    };
    const key = take(k);
    records.push({ partition: p ?? -1, offset: o ?? -1, key, value: take(s) });
  }
  return records;
}
