/**
 * A map of at most `max` entries that drops its least recently used one:
 * parsed schemas, which a registration needs again and again (the
 * candidate to identify it and to check it, the subject's earlier versions
 * on every check) and which are never changed once made.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #entries = new Map<K, V>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The cached value for `key`, or `make()`'s, kept (an exception from `make` is thrown and nothing is kept). */
  getOrCreate(key: K, make: () => V): V {
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      // Re-inserting moves the key to the end: Map iteration order is insertion order, so the first key is the oldest.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const value = make();
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
