/**
 * A FaultyFileSystem that holds the first rename after holdRenames() until
 * release(), so a test can look at a log while one of its whole-file
 * replacements (replaceFile: write, fsync, rename) is in progress.
 */
import { FaultyFileSystem } from '../src/index.ts';

export class GatedFileSystem extends FaultyFileSystem {
  #held: (() => void) | null = null;
  #onHeld: (() => void) | null = null;
  #gate: Promise<void> | null = null;
  renameHeld: Promise<void> = Promise.resolve();

  holdRenames(): void {
    this.#gate = new Promise((resolve) => (this.#held = resolve));
    this.renameHeld = new Promise((resolve) => (this.#onHeld = resolve));
  }

  release(): void {
    this.#held?.();
  }

  override async rename(from: string, to: string): Promise<void> {
    const gate = this.#gate;
    if (gate !== null) {
      this.#gate = null;
      this.#onHeld?.();
      await gate;
    }
    await super.rename(from, to);
  }
}
