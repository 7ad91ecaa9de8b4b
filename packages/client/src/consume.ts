/**
 * Reads one partition as a stream of decoded records: fetch, decode the
 * batches, yield the records at or after the position, move past the last
 * batch, repeat. Control batches (transaction markers) are skipped.
 */
import { type DecodedRecord, decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import { KafkaError } from './errors.ts';
import { type FetchOptions, type FetchResult, fetchMaxBytesDefault } from './partition-requests.ts';

/** What consumePartition needs of a client. */
export interface PartitionReader {
  fetch(topic: string, partition: number, offset: bigint, options?: FetchOptions): Promise<FetchResult>;
  listOffsets(topic: string, partition: number, timestamp: bigint): Promise<{ offset: bigint; timestamp: bigint }>;
}

export interface ConsumeOptions {
  /** Where to start: an offset, or the log start / end. */
  from: bigint | 'earliest' | 'latest';
  /** Stop once the position reaches the high watermark (kcat -e). Default false: wait for more. */
  stopAtEnd?: boolean;
  /** Long-poll wait per fetch while caught up. Default 500; 0 with stopAtEnd. */
  maxWaitMs?: number;
  /** Bytes per fetch. Default 1 MiB; doubled (up to 64 MiB) when one batch does not fit. */
  maxBytes?: number;
  /** Ends the iteration after the fetch in flight. */
  signal?: AbortSignal;
}

export interface ConsumedRecord extends DecodedRecord {
  topic: string;
  partition: number;
}

const fetchBytesMax = 64 * 1024 * 1024;
const latest = -1n;
const earliest = -2n;

/** Owned by the caller's loop; throws KafkaError for a partition error (e.g. OFFSET_OUT_OF_RANGE). */
export async function* consumePartition(
  reader: PartitionReader,
  topic: string,
  partition: number,
  options: ConsumeOptions,
): AsyncGenerator<ConsumedRecord> {
  let position =
    typeof options.from === 'bigint'
      ? options.from
      : (await reader.listOffsets(topic, partition, options.from === 'latest' ? latest : earliest)).offset;
  let maxBytes = options.maxBytes ?? fetchMaxBytesDefault;
  // Stopping at the end never waits: below the high watermark data is there at once.
  const maxWaitMs = options.stopAtEnd === true ? 0 : (options.maxWaitMs ?? 500);
  while (options.signal?.aborted !== true) {
    const fetched = await reader.fetch(topic, partition, position, { maxBytes, maxWaitMs });
    if (fetched.errorCode !== 0) throw new KafkaError(fetched.errorCode);
    const batches = await decodeRecordBatches(fetched.records);
    if (batches.length === 0 && fetched.records.length > 0) {
      // Only a partial batch came back: the next one is larger than maxBytes.
      if (maxBytes >= fetchBytesMax)
        throw new KafkaError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `a batch at offset ${position} exceeds ${fetchBytesMax} bytes`,
        );
      maxBytes = Math.min(fetchBytesMax, maxBytes * 2);
      continue;
    }
    for (const batch of batches) {
      if (!isControl(batch.header.attributes)) {
        for (const record of batch.records) {
          if (record.offset >= position) yield { ...record, topic, partition };
        }
      }
      const next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
      if (next > position) position = next;
    }
    if (options.stopAtEnd === true && position >= fetched.highWatermark) return;
  }
}
