/**
 * Options of `npm run bench -- --real-client`: the defaults are the issue's
 * workload, --only narrows the workloads, and bad input is a message rather
 * than a run with a nonsense setting.
 */
import { describe, expect, it } from 'vitest';
import { parseRealClientOptions, workloads } from '../bench/real-client-options.ts';

describe('real-client bench options', () => {
  it('defaults to every workload, 3 runs, 500,000 records and 20 MB/s without a time bound', () => {
    const parsed = parseRealClientOptions(['--real-client']);
    expect(parsed.ok && parsed.value).toMatchObject({ runs: 3, records: 500_000, seconds: null, rateMb: 20 });
    expect(parsed.ok && [...parsed.value.only]).toEqual([...workloads]);
  });

  it('--only keeps just the named workloads and --seconds bounds produce runs by time', () => {
    const parsed = parseRealClientOptions(['--only', 'produce-rf3,latency-rf3', '--seconds', '2.5']);
    expect(parsed.ok && [...parsed.value.only]).toEqual(['produce-rf3', 'latency-rf3']);
    expect(parsed.ok && parsed.value.seconds).toBe(2.5);
  });

  it('an unknown workload or a non-positive count is rejected with a message naming the option', () => {
    const unknown = parseRealClientOptions(['--only', 'produce-rf2']);
    expect(unknown.ok ? '' : unknown.message).toContain('produce-rf2');
    const zero = parseRealClientOptions(['--runs', '0']);
    expect(zero.ok ? '' : zero.message).toContain('--runs');
  });
});
