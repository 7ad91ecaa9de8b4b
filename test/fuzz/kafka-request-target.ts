/**
 * Fuzz target (a): the broker's Kafka request decoder, decodeRequestFrame
 * (header + body) at every API and every version the definitions hold.
 * Inputs are frames (after the size prefix) built valid from the message
 * definitions (packages/protocol/src/messages, through the same random
 * message generator the round-trip test uses), then mostly damaged: stacked
 * byte mutations, count and length fields located in the valid encoding and
 * set huge, bogus tagged-field sections, a random API key and version.
 *
 * Invariants: decodeRequestFrame never throws and refuses only through
 * DecodeError (a message marked `internal:` is a codec bug caught on its way
 * out); a frame left valid is accepted; allocation stays bounded by the bytes
 * present (checked by the runner).
 */
import type { Random } from '@runnel/common';
import type { ApiDef } from '@runnel/protocol';
import { apiDefs, decodeRequestFrame, encodeRequestFrame, inVersions, versionsOf } from '@runnel/protocol';
import { randomMessage } from '../../packages/protocol/test/random-message.ts';
import { mutateBytes, unsignedVarint } from './byte-mutations.ts';
import { allocationBaseBytes, allocationBytesPerInputByte } from './fuzz-runner.ts';
import type { FuzzInput, FuzzTarget, Outcome } from './fuzz-target.ts';
import { InvariantBroken } from './fuzz-target.ts';

/** An API with the request versions its definition holds. */
export interface ApiVersions {
  readonly api: ApiDef;
  readonly versions: readonly number[];
}

const apiVersions: readonly ApiVersions[] = apiDefs.map((api) => ({
  api,
  versions: versionsOf(api.request.validVersions),
}));

/**
 * A valid request frame (after the size prefix) of one of `apis`;
 * `shape` may adjust the generated body (field values) before encoding.
 */
export function validFrame(
  rng: Random,
  apis: readonly ApiVersions[] = apiVersions,
  shape: (body: Record<string, unknown>, rng: Random) => void = () => {},
): { frame: Buffer; flexible: boolean; apiKey: number; correlationId: number } {
  const { api, versions } = rng.pick(apis);
  const apiVersion = rng.pick(versions);
  const header = {
    apiKey: api.apiKey,
    apiVersion,
    correlationId: rng.int(-2147483648, 2147483647),
    clientId: rng.bool(0.1) ? null : rng.pick(['', 'fuzz', 'rdkafka', 'x'.repeat(rng.int(0, 40))]),
  };
  const body = randomMessage(rng, api.request, apiVersion);
  shape(body, rng);
  const frame = Buffer.concat(encodeRequestFrame(header, body)).subarray(4);
  return {
    frame,
    flexible: inVersions(api.request.flexibleVersions, apiVersion),
    apiKey: api.apiKey,
    correlationId: header.correlationId,
  };
}

/**
 * Sets a field that is probably a count or a length to a huge value: small
 * int32s (0..3, array counts and lengths in fixed versions) and small single
 * bytes (compact counts, N+1) are found in the valid encoding and replaced.
 */
export function smashCount(rng: Random, frame: Buffer, flexible: boolean): Buffer {
  const candidates: number[] = [];
  if (flexible) {
    for (let i = 8; i < frame.length; i++) if ((frame[i] ?? 0) >= 1 && (frame[i] ?? 0) <= 4) candidates.push(i);
  } else {
    for (let i = 8; i + 4 <= frame.length; i++) {
      const v = frame.readInt32BE(i);
      if (v >= 0 && v <= 3) candidates.push(i);
    }
  }
  if (candidates.length === 0) return mutateBytes(rng, frame);
  const pos = rng.pick(candidates);
  const huge = rng.pick([0x7fffffff, 0x10000000, 0x100000, 65536, 1000]);
  if (!flexible) {
    const b = Buffer.from(frame);
    b.writeInt32BE(rng.bool(0.2) ? -rng.int(2, 1000) : huge, pos);
    return b;
  }
  return Buffer.concat([frame.subarray(0, pos), unsignedVarint(huge), frame.subarray(pos + 1)]);
}

/**
 * Replaces a zero byte (in a flexible frame, often an empty tagged-field
 * section) by a tagged-field section that lies: counts beyond the bytes,
 * tags repeated or out of order, sizes beyond the end or shorter than the data.
 */
export function badTaggedFields(rng: Random, frame: Buffer): Buffer {
  const zeros: number[] = [];
  for (let i = 0; i < frame.length; i++) if (frame[i] === 0) zeros.push(i);
  if (zeros.length === 0) return mutateBytes(rng, frame);
  const pos = rng.pick(zeros);
  const fields = rng.int(1, 3);
  const parts: Buffer[] = [unsignedVarint(rng.bool(0.2) ? rng.pick([0x7fffffff, 1000, 200]) : fields)];
  let tag = rng.int(0, 3);
  for (let i = 0; i < fields; i++) {
    tag = rng.pick([tag, tag + 1, tag + rng.int(1, 100), Math.max(0, tag - 1), 0x7fffffff]);
    const data = rng.bytes(rng.int(0, 12));
    const size = rng.bool(0.6) ? data.length : rng.pick([data.length + rng.int(1, 50), 0x7fffffff, 0x10000000]);
    parts.push(unsignedVarint(tag), unsignedVarint(size), data);
  }
  return Buffer.concat([frame.subarray(0, pos), ...parts, frame.subarray(pos + 1)]);
}

/** A random key and version over a real body: unknown keys, unsupported versions, the wrong header version. */
function wrongApi(rng: Random, frame: Buffer): Buffer {
  if (frame.length < 4) return frame;
  const b = Buffer.from(frame);
  b.writeInt16BE(rng.bool(0.5) ? rng.pick(apiDefs).apiKey : rng.int(-32768, 32767), 0);
  b.writeInt16BE(rng.bool(0.7) ? rng.int(-1, 20) : rng.int(-32768, 32767), 2);
  return b;
}

export function generateKafkaRequest(rng: Random): FuzzInput {
  const mode = rng.int(0, 99);
  if (mode < 3) return { bytes: rng.bytes(rng.int(0, 64)), valid: false };
  const { frame, flexible } = validFrame(rng);
  if (mode < 13) return { bytes: frame, valid: true };
  if (mode < 30) return { bytes: smashCount(rng, frame, flexible), valid: false };
  if (mode < 42) return { bytes: flexible ? badTaggedFields(rng, frame) : mutateBytes(rng, frame), valid: false };
  if (mode < 47) return { bytes: wrongApi(rng, frame), valid: false };
  return { bytes: mutateBytes(rng, frame), valid: false };
}

export function runKafkaRequest(input: FuzzInput): Outcome {
  let result: ReturnType<typeof decodeRequestFrame>;
  try {
    result = decodeRequestFrame(input.bytes);
  } catch (e) {
    throw new InvariantBroken(`decodeRequestFrame threw ${describe(e)}`);
  }
  if (result.ok) return 'accepted';
  if (result.message.startsWith('internal:')) throw new InvariantBroken(`non-DecodeError refusal: ${result.message}`);
  if (input.valid) throw new InvariantBroken(`a valid frame was refused: ${result.error} ${result.message}`);
  return 'rejected';
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

export function kafkaRequestTarget(): FuzzTarget {
  return {
    name: 'kafka',
    measuresAllocation: true,
    allocationBytesMax: (inputBytes) => allocationBaseBytes + allocationBytesPerInputByte * inputBytes,
    generate: generateKafkaRequest,
    run: runKafkaRequest,
    close: async () => {},
  };
}
