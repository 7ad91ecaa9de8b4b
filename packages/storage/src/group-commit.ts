/**
 * Group commit: callers that need an fsync share one. A request made while
 * an fsync is running waits for the next one (which starts after the
 * running one ends and so covers every write made before the request);
 * all requests made meanwhile share that next fsync.
 *
 * Owned by PartitionLog. A failed fsync rejects every request sharing it;
 * later requests start a fresh one.
 */
export class GroupCommit {
  readonly #syncAll: () => Promise<void>;
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;

  constructor(syncAll: () => Promise<void>) {
    this.#syncAll = syncAll;
  }

  request(): Promise<void> {
    if (this.#queued !== null) return this.#queued;
    const running = this.#running;
    if (running === null) return this.#start();
    const queued = running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null;
        return this.#start();
      });
    this.#queued = queued;
    return queued;
  }

  #start(): Promise<void> {
    const run = this.#syncAll().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }
}
