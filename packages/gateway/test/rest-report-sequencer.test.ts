import { describe, expect, it } from 'vitest';
import { ReportSequencer } from '../src/rest/v3-records/report-sequencer.ts';

describe('delivery reports in request order', () => {
  it('holds a report until every earlier one is done, then releases the run in order', () => {
    const sequencer = new ReportSequencer<string>();
    const [a, b, c, d] = [sequencer.take(), sequencer.take(), sequencer.take(), sequencer.take()];
    sequencer.complete(c, 'c');
    sequencer.complete(b, 'b');
    expect(sequencer.release()).toEqual([]);
    expect(sequencer.pending).toBe(4);
    sequencer.complete(a, 'a');
    expect(sequencer.release()).toEqual(['a', 'b', 'c']);
    expect(sequencer.pending).toBe(1);
    sequencer.complete(d, 'd');
    expect(sequencer.release()).toEqual(['d']);
    expect(sequencer.pending).toBe(0);
  });

  it('keeps order over many reports completed in a shuffled order', () => {
    const sequencer = new ReportSequencer<number>();
    const released: number[] = [];
    let seed = 7;
    for (let round = 0; round < 20; round++) {
      const taken = Array.from({ length: 500 }, () => sequencer.take());
      // A seeded shuffle: partitions answer in any order.
      for (let i = taken.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const j = seed % (i + 1);
        [taken[i], taken[j]] = [taken[j]!, taken[i]!];
      }
      for (const sequence of taken) {
        sequencer.complete(sequence, sequence);
        released.push(...sequencer.release());
      }
    }
    expect(released).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(sequencer.pending).toBe(0);
  });

  it('refuses a report completed twice (a bug, not a client error)', () => {
    const sequencer = new ReportSequencer<string>();
    const a = sequencer.take();
    sequencer.take();
    sequencer.complete(a, 'a');
    expect(() => sequencer.complete(a, 'again')).toThrow(/twice/);
    sequencer.release();
    expect(() => sequencer.complete(a, 'late')).toThrow(/twice/);
  });
});
