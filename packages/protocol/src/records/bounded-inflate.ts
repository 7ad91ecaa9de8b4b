/**
 * Decompression that hands its output to a sink chunk by chunk and stops the
 * moment the sink says so, so a caller checking records never holds more
 * than one chunk of a batch that inflates far (a decompression bomb).
 *
 * gzip and zstd stream through node:zlib (64 KiB chunks). Small outputs
 * are first tried in one shot, capped at ONE_SHOT_BYTES_MAX, because a
 * zlib stream per batch costs more than most batches' whole inflation; a
 * batch that needs more is streamed from the start. snappy and lz4 have no
 * streaming API in the libraries Runnel uses (`snappy`, `lz4-napi`); their
 * output is bounded before anything is inflated instead (snappy declares
 * its length, an lz4 frame's block headers bound it; compression.ts), so
 * they allocate at most the caller's `outputBytesMax`; an InflateBudget
 * shared by the caller bounds what all such inflations hold at once.
 *
 * The payload is read in place (zlib takes a view; nothing is copied).
 */
import { createGunzip, createZstdDecompress, type Gunzip, type ZstdDecompress } from 'node:zlib';
import { type CompressionCodec, CompressionError, decompress } from './compression.ts';
import { lz4FrameOutputBound } from './lz4-frame-bound.ts';
import { isXerialFramed, snappyDeclaredLength, xerialBlocks } from './snappy-xerial.ts';

/** zlib output chunk: what a streamed inflation holds at once. */
export const INFLATE_CHUNK_BYTES = 64 * 1024;
/** One-shot inflation cap: larger outputs are streamed. */
export const ONE_SHOT_BYTES_MAX = 1024 * 1024;

/** Return false to stop: the inflation ends there, reported as 'stopped'. */
export type InflateSink = (chunk: Buffer) => boolean;

export type InflateOutcome = 'done' | 'stopped';

/**
 * Inflates `payload` into `sink`. Rejects with CompressionError
 * ('corrupt_input' when the codec cannot decode it, 'output_too_large' past
 * `outputBytesMax` for snappy and lz4; for gzip and zstd the sink enforces
 * the bound as it counts).
 */
export async function inflateInto(
  codec: Exclude<CompressionCodec, 'none'>,
  payload: Buffer,
  outputBytesMax: number,
  sink: InflateSink,
  budget: InflateBudget | null = null,
): Promise<InflateOutcome> {
  if (codec === 'snappy' || codec === 'lz4') {
    // What the headers promise (a malformed header is decompress's to report); never more than the bound.
    const promised = (codec === 'lz4' ? lz4FrameOutputBound(payload) : snappyPromised(payload)) ?? 0;
    const release = budget === null ? null : await budget.acquire(Math.min(promised, outputBytesMax));
    try {
      const out = await decompress(codec, payload, { outputBytesMax });
      return sink(out) ? 'done' : 'stopped';
    } finally {
      release?.();
    }
  }
  if (outputBytesMax > 0) {
    const small = await oneShot(codec, payload, Math.min(outputBytesMax, ONE_SHOT_BYTES_MAX));
    if (small !== null) return sink(small) ? 'done' : 'stopped';
  }
  return stream(codec, payload, sink);
}

/** The whole output when it fits `cap`, or null when it does not (then the caller streams). */
async function oneShot(codec: 'gzip' | 'zstd', payload: Buffer, cap: number): Promise<Buffer | null> {
  try {
    return await decompress(codec, payload, { outputBytesMax: cap });
  } catch (cause) {
    if (cause instanceof CompressionError && cause.reason === 'output_too_large') return null;
    throw cause;
  }
}

function stream(codec: 'gzip' | 'zstd', payload: Buffer, sink: InflateSink): Promise<InflateOutcome> {
  return new Promise((resolve, reject) => {
    const inflater: Gunzip | ZstdDecompress =
      codec === 'gzip'
        ? createGunzip({ chunkSize: INFLATE_CHUNK_BYTES })
        : createZstdDecompress({ chunkSize: INFLATE_CHUNK_BYTES });
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      finish();
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (!sink(chunk)) {
        settle(() => resolve('stopped'));
        inflater.destroy();
      }
    });
    inflater.on('error', (error: Error) => {
      settle(() => reject(new CompressionError(codec, 'corrupt_input', error.message, { cause: error })));
    });
    inflater.on('end', () => settle(() => resolve('done')));
    inflater.end(payload);
  });
}

function snappyPromised(payload: Buffer): number | undefined {
  const blocks = isXerialFramed(payload) ? xerialBlocks(payload) : [payload];
  if (blocks === undefined) return undefined;
  let total = 0;
  for (const block of blocks) total += snappyDeclaredLength(block) ?? 0;
  return total;
}

/**
 * Bytes that whole-buffer inflations (snappy, lz4) may hold at once across
 * every caller that shares it: acquire() waits, first come first served,
 * until the bytes are free. A request larger than the whole budget waits
 * for it to be empty and then runs alone. Owned by the process (the broker
 * makes one); callers must release what they acquire, also on error.
 */
export class InflateBudget {
  readonly bytesMax: number;
  #inUse = 0;
  readonly #waiting: { bytes: number; grant: () => void }[] = [];

  constructor(bytesMax: number) {
    this.bytesMax = bytesMax;
  }

  get bytesInUse(): number {
    return this.#inUse;
  }

  async acquire(requested: number): Promise<() => void> {
    const bytes = Math.min(requested, this.bytesMax);
    if (this.#waiting.length > 0 || this.#inUse + bytes > this.bytesMax) {
      await new Promise<void>((grant) => this.#waiting.push({ bytes, grant }));
    } else {
      this.#inUse += bytes;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= bytes;
      this.#grantWaiting();
    };
  }

  #grantWaiting(): void {
    for (;;) {
      const next = this.#waiting[0];
      if (next === undefined || this.#inUse + next.bytes > this.bytesMax) return;
      this.#waiting.shift();
      this.#inUse += next.bytes;
      next.grant();
    }
  }
}
