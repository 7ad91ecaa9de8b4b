import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../src/registry/bounded-cache.ts';

describe('BoundedCache', () => {
  it('makes each value once, keeps at most max, and drops the least recently used', () => {
    const cache = new BoundedCache<string, number>(2);
    let made = 0;
    const get = (key: string) => cache.getOrCreate(key, () => ++made);
    expect([get('a'), get('b'), get('a')]).toEqual([1, 2, 1]);
    get('c'); // evicts b: a was used after it
    expect(cache.size).toBe(2);
    expect(get('a')).toBe(1);
    expect(get('b')).toBe(4);
  });

  it('keeps nothing when making the value throws', () => {
    const cache = new BoundedCache<string, number>(2);
    expect(() =>
      cache.getOrCreate('bad', () => {
        throw new Error('unreadable schema');
      }),
    ).toThrow('unreadable schema');
    expect(cache.size).toBe(0);
  });
});
