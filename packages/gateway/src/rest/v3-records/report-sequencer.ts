/**
 * Puts delivery reports back in request order: records of a streamed
 * produce are acknowledged per partition batch, in any order across
 * partitions, but Confluent's streaming mode answers one report per record
 * in the order the records came. Each record takes a sequence number when
 * read; its report is held until every earlier one is done, then released.
 * Pure; owned by one produce request. `pending` (taken and not released)
 * is what bounds the request's memory.
 */
export class ReportSequencer<T> {
  /** Reports of the taken sequence numbers from `#start` on, at `#head` on; undefined while not done. */
  #slots: (T | undefined)[] = [];
  #head = 0;
  #start = 0;
  #next = 0;

  /** Takes the next sequence number. */
  take(): number {
    this.#slots.push(undefined);
    return this.#next++;
  }

  /** Reports taken and not yet released. */
  get pending(): number {
    return this.#next - this.#start;
  }

  /** Records `report` for `sequence`; a sequence is done once. */
  complete(sequence: number, report: T): void {
    const index = this.#head + sequence - this.#start;
    if (index < this.#head || index >= this.#slots.length || this.#slots[index] !== undefined)
      throw new Error(`report ${sequence} completed twice or never taken`);
    this.#slots[index] = report;
  }

  /** The done reports that have no undone one before them, in order; they leave the sequencer. */
  release(): T[] {
    let end = this.#head;
    while (end < this.#slots.length && this.#slots[end] !== undefined) end++;
    if (end === this.#head) return [];
    const ready = this.#slots.slice(this.#head, end) as T[];
    this.#start += end - this.#head;
    this.#head = end;
    // Drop released slots now and then rather than shifting the array on every release.
    if (this.#head >= 1024 && this.#head * 2 >= this.#slots.length) {
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
    return ready;
  }
}
