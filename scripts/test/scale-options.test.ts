/**
 * Options of `npm run bench -- --scale`: the defaults are the scale
 * (1,000 partitions, 4/16/50 producers, 20 groups, 10 GiB), --only narrows
 * the sections, and bad input is a message rather than a run with a
 * nonsense setting.
 */
import { describe, expect, it } from 'vitest';
import { parseScaleOptions, scaleHelp, scaleSections } from '../bench/scale-options.ts';

describe('scale bench options', () => {
  it("defaults to every section at the issue's scale, RF=1 producers only", () => {
    const parsed = parseScaleOptions(['--scale']);
    expect(parsed.ok && parsed.value).toMatchObject({
      partitionCount: 1000,
      partitions: 4,
      producerCounts: [4, 16, 50],
      consumers: 20,
      restartGib: 10,
      producersRf3: false,
    });
    expect(parsed.ok && [...parsed.value.only]).toEqual([...scaleSections]);
  });

  it('--only keeps just the named sections; --restart-gib takes a fraction for short runs', () => {
    const parsed = parseScaleOptions(['--only', 'restart', '--restart-gib', '0.5', '--producer-counts', '2,8']);
    expect(parsed.ok && [...parsed.value.only]).toEqual(['restart']);
    expect(parsed.ok && parsed.value.restartGib).toBe(0.5);
    expect(parsed.ok && parsed.value.producerCounts).toEqual([2, 8]);
  });

  it('an unknown section, a zero count or a fractional producer count is rejected with a message naming it', () => {
    const unknown = parseScaleOptions(['--only', 'latency']);
    expect(unknown.ok ? '' : unknown.message).toContain('latency');
    const zero = parseScaleOptions(['--consumers', '0']);
    expect(zero.ok ? '' : zero.message).toContain('--consumers');
    const fraction = parseScaleOptions(['--producer-counts', '4,1.5']);
    expect(fraction.ok ? '' : fraction.message).toContain('--producer-counts');
  });

  it('--help documents every option the parser takes', () => {
    for (const option of [
      '--partition-count',
      '--partitions',
      '--producer-counts',
      '--producers-rf3',
      '--consumers',
      '--fanout-records',
      '--seconds',
      '--record-bytes',
      '--restart-gib',
      '--only',
      '--help',
    ]) {
      expect(scaleHelp).toContain(option);
    }
  });
});
