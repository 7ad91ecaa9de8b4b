/**
 * Hands out producer ids for InitProducerId from blocks the controller
 * allocates (AllocateProducerIds): ids are unique across the cluster and
 * across controller failovers because each block is committed to the
 * metadata log before this broker sees it. The next block is fetched in the
 * background once most of the current one is used, so InitProducerId rarely
 * waits for the controller.
 *
 * Owned by Broker. `next()` never throws for controller trouble: it answers
 * 'unavailable' (the client retries; Kafka answers
 * COORDINATOR_LOAD_IN_PROGRESS) and the following call asks again.
 */
import type { Logger, Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import { ControllerUnavailableError } from '@runnel/metadata';
import type { AllocateProducerIdsError, ProducerIdBlock } from '@runnel/rpc';

export interface ProducerIdManagerOptions {
  /** Asks the controller for a block (ControllerChannel.call('allocateProducerIds', ...) in a broker). */
  readonly allocate: () => Promise<Result<ProducerIdBlock, AllocateProducerIdsError>>;
  readonly logger: Logger;
  /** Fetch the next block once this fraction of the current one is used (Kafka: 0.9). */
  readonly prefetchFraction?: number;
}

export class ProducerIdManager {
  readonly #options: ProducerIdManagerOptions;
  /** Ids [next, end) of the current block are free. */
  #next = 0n;
  #end = 0n;
  #prefetchAt = 0n;
  /** A block fetched ahead, used once the current one runs out. */
  #spare: ProducerIdBlock | null = null;
  #fetching: Promise<ProducerIdBlock | null> | null = null;

  constructor(options: ProducerIdManagerOptions) {
    this.#options = options;
  }

  /** A producer id no other producer has or will have. */
  async next(): Promise<Result<bigint, 'unavailable'>> {
    for (;;) {
      const id = this.tryNext();
      if (id.ok) return id;
      const block = await this.#fetch();
      if (block === null && this.#spare === null && this.#next >= this.#end) return err('unavailable');
    }
  }

  /**
   * The same without waiting, for callers that must answer at once (the
   * transaction coordinator's machine): 'unavailable' while no block is at
   * hand, having started fetching one, so a retry moments later succeeds.
   */
  tryNext(): Result<bigint, 'unavailable'> {
    if (this.#next >= this.#end && this.#spare !== null) {
      this.#use(this.#spare);
      this.#spare = null;
    }
    if (this.#next >= this.#end) {
      void this.#fetch();
      return err('unavailable');
    }
    const id = this.#next;
    this.#next += 1n;
    if (this.#next >= this.#prefetchAt && this.#spare === null) void this.#fetch();
    return ok(id);
  }

  #use(block: ProducerIdBlock): void {
    this.#next = block.firstProducerId;
    this.#end = block.firstProducerId + BigInt(block.size);
    const fraction = this.#options.prefetchFraction ?? 0.9;
    this.#prefetchAt = block.firstProducerId + BigInt(Math.floor(block.size * fraction));
  }

  /** One request at a time; concurrent callers share it. The block lands in #spare. */
  #fetch(): Promise<ProducerIdBlock | null> {
    this.#fetching ??= this.#options
      .allocate()
      .then(
        (result) => {
          if (!result.ok) {
            this.#options.logger.warn({ error: result.error, err: result.message }, 'producer id block refused');
            return null;
          }
          this.#spare = result.value;
          return result.value;
        },
        (error: unknown) => {
          if (!(error instanceof ControllerUnavailableError)) throw error;
          this.#options.logger.warn({ err: error.message }, 'no controller answered for producer ids');
          return null;
        },
      )
      .finally(() => {
        this.#fetching = null;
      });
    return this.#fetching;
  }
}
