/**
 * Checks the records of one v2 batch as their bytes arrive, in chunks of
 * any size (a decompressor's output, or the whole uncompressed payload at
 * once), without keeping or copying them: keys, values and headers are
 * skipped by length, and only the varint fields are read, one byte at a
 * time when a field straddles two chunks. Memory is a few numbers whatever
 * the batch inflates to, so a decompression bomb costs CPU up to the
 * caller's bound and nothing more.
 *
 * Record grammar (varints are zigzag; lengths of -1 mean null):
 *   length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *   keyLength:varint key valueLength:varint value
 *   headerCount:varint { headerKeyLength:varint key headerValueLength:varint value }
 *
 * What it refuses (Kafka's LogValidator and DefaultRecordBatch rules, and
 * Runnel's, which never rewrites a batch): fewer or more records than the
 * batch claims, a record whose fields do not add up to its length, offset
 * deltas other than 0..count-1, negative lengths other than -1, a record
 * longer than what is left of the bound. Per-record findings that Kafka
 * reports as record errors (a keyless record for a compacted topic, a
 * timestamp out of range) are collected, up to RECORD_ERRORS_MAX.
 * One instance per batch; owned by its caller.
 */

/** Record errors kept per batch; the rest are counted only (the response stays small). */
export const RECORD_ERRORS_MAX = 20;

export interface RecordError {
  /** Index of the record within its batch (Kafka's batch_index). */
  batchIndex: number;
  message: string;
  kind: 'invalid_record' | 'invalid_timestamp';
}

export interface RecordCheckRules {
  recordCount: number;
  baseTimestamp: number;
  /** Refuse records without a key (cleanup.policy includes compact). */
  keyRequired: boolean;
  /** Inclusive CreateTime bounds, or null when timestamps are not checked. */
  timestampRange: { min: number; max: number } | null;
  /** Most bytes the records may take in all: the batch's inflation bound. */
  bytesMax: number;
}

type Field =
  | 'length'
  | 'attributes'
  | 'timestampDelta'
  | 'offsetDelta'
  | 'keyLength'
  | 'valueLength'
  | 'headerCount'
  | 'headerKeyLength'
  | 'headerValueLength';

/** Bytes after the length varint: attributes and five one-byte varints at least. */
const RECORD_BODY_BYTES_MIN = 6;
/** Varint byte limits: 5 for int32 fields, 10 for the varlong timestamp delta. */
const VARINT_SHIFT_MAX = 35;
const VARLONG_SHIFT_MAX = 70;
const NO_TIMESTAMP = -1;

/** Where varintAt stopped: a module scratch, so the hot loop allocates nothing. */
const scratch = { pos: 0 };

/**
 * The zigzag varint at `p`, wholly before `end`; NaN when it is cut off,
 * too long or (for int32 fields) overflows. Sets scratch.pos past it.
 */
function varintAt(buf: Uint8Array, start: number, end: number, shiftMax: number): number {
  // Most fields (deltas, small lengths, header counts) fit one byte.
  const first = start < end ? (buf[start] ?? 0x80) : 0x80;
  if (first < 0x80) {
    scratch.pos = start + 1;
    return (first >>> 1) ^ -(first & 1);
  }
  let z = 0;
  let scale = 1;
  let p = start;
  for (let shift = 0; shift < shiftMax; shift += 7) {
    if (p >= end) return Number.NaN;
    const byte = buf[p++] ?? 0;
    z += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (shiftMax === VARINT_SHIFT_MAX && z > 0xffffffff) return Number.NaN;
      scratch.pos = p;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    scale *= 128;
  }
  return Number.NaN;
}

export class RecordStreamCheck {
  readonly #rules: RecordCheckRules;
  /** The structural refusal, once found; every later push is ignored. */
  failure: string | null = null;
  readonly recordErrors: RecordError[] = [];
  recordErrorCount = 0;
  /** Bytes seen in all. */
  bytes = 0;
  #index = 0;
  #field: Field = 'length';
  #skip = 0;
  #varint = 0;
  #shift = 0;
  /** Bytes of the current record after its length varint, and its declared length. */
  #consumed = 0;
  #length = 0;
  #headersLeft = 0;

  constructor(rules: RecordCheckRules) {
    this.#rules = rules;
  }

  /** Records fully checked so far. */
  get recordsRead(): number {
    return this.#index;
  }

  /** Feeds the next chunk; returns false once the batch is refused (stop feeding). */
  push(chunk: Uint8Array): boolean {
    if (this.failure !== null) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.#rules.bytesMax) {
      return this.#fail(`records inflate beyond ${this.#rules.bytesMax} bytes`);
    }
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.#index >= this.#rules.recordCount) {
        return this.#fail(`bytes remain after the ${this.#rules.recordCount} records the batch declares`);
      }
      if (this.#field === 'length' && this.#shift === 0 && this.#skip === 0) {
        const next = this.#wholeRecord(chunk, pos, end);
        if (next > 0) {
          pos = next;
          continue;
        }
      }
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, end - pos);
        this.#skip -= n;
        this.#consumed += n;
        pos += n;
        if (this.#skip === 0 && !this.#afterSkip()) return false;
        continue;
      }
      const byte = chunk[pos++] ?? 0;
      if (this.#field !== 'length') this.#consumed++;
      if (this.#field === 'attributes') {
        // Record attributes are unused in v2; Kafka ignores them too.
        this.#field = 'timestampDelta';
        continue;
      }
      this.#varint += (byte & 0x7f) * 2 ** this.#shift;
      this.#shift += 7;
      if ((byte & 0x80) !== 0) {
        const limit = this.#field === 'timestampDelta' ? VARLONG_SHIFT_MAX : VARINT_SHIFT_MAX;
        if (this.#shift >= limit) return this.#fail(`record ${this.#index}: ${this.#field} varint too long`);
        continue;
      }
      const z = this.#varint;
      if (this.#field !== 'timestampDelta' && z > 0xffffffff) {
        return this.#fail(`record ${this.#index}: ${this.#field} overflows int32`);
      }
      // Zigzag decode in doubles: exact to 2^53, which covers every int32 field.
      const value = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      this.#varint = 0;
      this.#shift = 0;
      if (!this.#onField(value)) return false;
    }
    return true;
  }

  /**
   * The fast path: a record wholly inside `chunk` from `start`, read with
   * locals and no state changes until it has passed. Returns the position
   * after it, or -1 for anything else (cut by the chunk's end, or malformed):
   * the byte-wise path then takes the same record from `start` and, if it
   * is malformed, says how.
   */
  #wholeRecord(chunk: Uint8Array, start: number, end: number): number {
    let p = start;
    const i = this.#index;
    const length = varintAt(chunk, p, end, VARINT_SHIFT_MAX);
    if (Number.isNaN(length)) return -1;
    p = scratch.pos;
    const bodyStart = p;
    const bodyEnd = p + length;
    if (length < RECORD_BODY_BYTES_MIN || bodyEnd > end || length > this.#rules.bytesMax) return -1;
    p++; // attributes
    const timestampDelta = varintAt(chunk, p, bodyEnd, VARLONG_SHIFT_MAX);
    if (Number.isNaN(timestampDelta)) return -1;
    p = scratch.pos;
    const offsetDelta = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
    if (offsetDelta !== i) return -1;
    p = scratch.pos;
    const keyLength = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
    if (!(keyLength >= -1)) return -1;
    p = scratch.pos + Math.max(keyLength, 0);
    const valueLength = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
    if (!(valueLength >= -1)) return -1;
    p = scratch.pos + Math.max(valueLength, 0);
    const headerCount = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
    if (!(headerCount >= 0)) return -1;
    p = scratch.pos;
    for (let h = 0; h < headerCount; h++) {
      const keyBytes = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
      if (!(keyBytes >= 0)) return -1;
      p = scratch.pos + keyBytes;
      const valueBytes = varintAt(chunk, p, bodyEnd, VARINT_SHIFT_MAX);
      if (!(valueBytes >= -1)) return -1;
      p = scratch.pos + Math.max(valueBytes, 0);
    }
    if (p !== bodyEnd || bodyEnd - bodyStart !== length) return -1;
    if (keyLength === -1 && this.#rules.keyRequired) {
      this.#recordError(i, 'invalid_record', 'a compacted topic accepts only records with a key');
    }
    this.#checkTimestamp(i, timestampDelta);
    this.#index++;
    return p;
  }

  /** Call after the last chunk; true when the batch held exactly its declared records. */
  end(): boolean {
    if (this.failure !== null) return false;
    if (this.#index < this.#rules.recordCount) {
      const partial = this.#field !== 'length' || this.#shift > 0 || this.#skip > 0 ? ' (the last one cut short)' : '';
      return this.#fail(`the batch declares ${this.#rules.recordCount} records but holds ${this.#index}${partial}`);
    }
    return true;
  }

  #onField(value: number): boolean {
    const i = this.#index;
    switch (this.#field) {
      case 'length': {
        if (value < RECORD_BODY_BYTES_MIN) return this.#fail(`record ${i}: length ${value} is too small`);
        // Refused before its bytes are inflated: the whole batch may not take more.
        if (value > this.#rules.bytesMax) {
          return this.#fail(`record ${i}: length ${value} exceeds the batch's bound of ${this.#rules.bytesMax} bytes`);
        }
        this.#length = value;
        this.#consumed = 0;
        this.#field = 'attributes';
        return true;
      }
      case 'timestampDelta':
        this.#checkTimestamp(i, value);
        this.#field = 'offsetDelta';
        return true;
      case 'offsetDelta':
        if (value !== i) return this.#fail(`record ${i}: offset delta ${value}, expected ${i}`);
        this.#field = 'keyLength';
        return true;
      case 'keyLength':
        if (value < -1) return this.#fail(`record ${i}: key length ${value}`);
        if (value === -1 && this.#rules.keyRequired) {
          this.#recordError(i, 'invalid_record', 'a compacted topic accepts only records with a key');
        }
        return this.#skipThen(Math.max(value, 0), 'valueLength');
      case 'valueLength':
        if (value < -1) return this.#fail(`record ${i}: value length ${value}`);
        return this.#skipThen(Math.max(value, 0), 'headerCount');
      case 'headerCount':
        if (value < 0) return this.#fail(`record ${i}: header count ${value}`);
        this.#headersLeft = value;
        return this.#nextHeaderOrEnd();
      case 'headerKeyLength':
        if (value < 0) return this.#fail(`record ${i}: header key length ${value}`);
        return this.#skipThen(value, 'headerValueLength');
      case 'headerValueLength':
        if (value < -1) return this.#fail(`record ${i}: header value length ${value}`);
        this.#headersLeft--;
        return this.#skipThen(Math.max(value, 0), 'headerKeyLength');
      case 'attributes':
        return true;
    }
  }

  /** Skips `n` bytes of the current record, then reads `next` (or ends the record/header list). */
  #skipThen(n: number, next: Field): boolean {
    if (this.#consumed + n > this.#length) {
      return this.#fail(`record ${this.#index}: fields run past its length ${this.#length}`);
    }
    this.#field = next;
    this.#skip = n;
    return n > 0 ? true : this.#afterSkip();
  }

  /** What follows a skipped key, value or header part. */
  #afterSkip(): boolean {
    if (this.#field === 'headerKeyLength') return this.#nextHeaderOrEnd();
    return this.#checkWithinLength();
  }

  #nextHeaderOrEnd(): boolean {
    if (this.#headersLeft > 0) {
      this.#field = 'headerKeyLength';
      return this.#checkWithinLength();
    }
    if (this.#consumed !== this.#length) {
      return this.#fail(`record ${this.#index}: length ${this.#length} but its fields take ${this.#consumed} bytes`);
    }
    this.#index++;
    this.#field = 'length';
    return true;
  }

  #checkWithinLength(): boolean {
    if (this.#consumed >= this.#length) {
      return this.#fail(`record ${this.#index}: fields run past its length ${this.#length}`);
    }
    return true;
  }

  #checkTimestamp(i: number, delta: number): void {
    const range = this.#rules.timestampRange;
    if (range === null) return;
    const timestamp = this.#rules.baseTimestamp + delta;
    if (timestamp === NO_TIMESTAMP) return;
    if (timestamp < range.min || timestamp > range.max) {
      this.#recordError(
        i,
        'invalid_timestamp',
        `timestamp ${timestamp} is outside the accepted range [${range.min}, ${range.max}]`,
      );
    }
  }

  #recordError(batchIndex: number, kind: RecordError['kind'], message: string): void {
    this.recordErrorCount++;
    if (this.recordErrors.length < RECORD_ERRORS_MAX) this.recordErrors.push({ batchIndex, message, kind });
  }

  #fail(message: string): false {
    this.failure = message;
    return false;
  }
}
