/**
 * Keeps a connection's pipelined produces to one partition appending in the
 * order they arrived, although their checks finish in any order (a
 * compressed batch's inflation runs on the thread pool and takes as long
 * as its size). Kafka gets this by reading one request per connection at a
 * time; Runnel handles pipelined requests at once, so each produce takes a
 * turn when it arrives (synchronously, in request order) and waits for the
 * turn before it appends. Turns on different connections or partitions do
 * not wait for each other. Owned by one produce handler; every turn taken
 * must be ended (`done`), on every path.
 */
export interface AppendTurn {
  /** Resolves when every earlier turn of the same connection and partition is done. */
  readonly ready: Promise<void>;
  done(): void;
}

export class AppendOrder {
  /** The last turn's completion per key; removed when it is the last and ends, so the map holds only live keys. */
  readonly #tails = new Map<string, Promise<void>>();

  get keysInUse(): number {
    return this.#tails.size;
  }

  take(connectionId: number, topic: string, partition: number): AppendTurn {
    const key = `${connectionId}\u0000${topic}\u0000${partition}`;
    const previous = this.#tails.get(key);
    let end = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      end = resolve;
    });
    const tail = previous === undefined ? mine : previous.then(() => mine);
    this.#tails.set(key, tail);
    let ended = false;
    return {
      ready: previous ?? Promise.resolve(),
      done: () => {
        if (ended) return;
        ended = true;
        end();
        void tail.then(() => {
          if (this.#tails.get(key) === tail) this.#tails.delete(key);
        });
      },
    };
  }
}
