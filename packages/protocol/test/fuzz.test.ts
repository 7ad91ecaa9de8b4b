import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import {
  apiDefs,
  DecodeError,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  versionsOf,
} from '../src/index.ts';
import { randomMessage } from './random-message.ts';

/** Applies one random corruption: bit flips, truncation, inserted bytes or a length field set huge or negative. */
function mutate(rng: Random, input: Buffer): Buffer {
  const b = Buffer.from(input);
  switch (rng.int(0, 5)) {
    case 0: {
      for (let i = rng.int(1, 4); i > 0 && b.length > 0; i--) {
        const at = rng.int(0, b.length - 1);
        b[at] = (b[at] ?? 0) ^ (1 << rng.int(0, 7));
      }
      return b;
    }
    case 1:
      return b.subarray(0, rng.int(0, b.length));
    case 2: {
      const at = rng.int(0, b.length);
      return Buffer.concat([b.subarray(0, at), rng.bytes(rng.int(1, 8)), b.subarray(at)]);
    }
    case 3: {
      if (b.length < 4) return b;
      const at = rng.int(0, b.length - 4);
      b.writeInt32BE(rng.pick([-2, -1, 0x7fffffff, -0x80000000, 0x10000, rng.int(-1000, 1000)]), at);
      return b;
    }
    case 4: {
      if (b.length < 2) return b;
      const at = rng.int(0, b.length - 2);
      b.writeInt16BE(rng.pick([-2, -1, 0x7fff, -0x8000, rng.int(-100, 100)]), at);
      return b;
    }
    default: {
      // A run of varint continuation bytes: overlong compact lengths.
      const at = rng.int(0, b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(rng.int(1, 12), 0xff), b.subarray(at)]);
    }
  }
}

function validFrames(rng: Random): { apiKey: number; apiVersion: number; request: Buffer; response: Buffer } {
  const api = rng.pick(apiDefs);
  const apiVersion = rng.pick(versionsOf(api.request.validVersions));
  const header = { apiKey: api.apiKey, apiVersion, correlationId: rng.int(0, 1000), clientId: 'fuzz' };
  const request = Buffer.concat(encodeRequestFrame(header, randomMessage(rng, api.request, apiVersion))).subarray(4);
  const response = Buffer.concat(encodeResponseFrame(header, randomMessage(rng, api.response, apiVersion))).subarray(4);
  return { apiKey: api.apiKey, apiVersion, request, response };
}

describe('decoding corrupted frames', () => {
  it('decodeRequestFrame never throws on random and mutated frames', () => {
    const seed = 7001;
    const rng = new Random(seed);
    let rejected = 0;
    for (let i = 0; i < 6000; i++) {
      const frame = i % 10 === 0 ? rng.bytes(rng.int(0, 64)) : mutate(rng, validFrames(rng).request);
      let result: ReturnType<typeof decodeRequestFrame> | undefined;
      expect(
        () => {
          result = decodeRequestFrame(frame);
        },
        `seed ${seed} iteration ${i} frame ${frame.toString('hex')}`,
      ).not.toThrow();
      if (result?.ok === false) {
        // Rejections must come from DecodeError, not from a codec bug caught on the way out.
        expect(result.message, `seed ${seed} iteration ${i} frame ${frame.toString('hex')}`).not.toMatch(/^internal:/);
        rejected++;
      }
    }
    // The mutations must actually exercise the error paths.
    expect(rejected).toBeGreaterThan(1000);
  });

  it('decodeResponseFrame throws nothing but DecodeError on random and mutated frames', () => {
    const seed = 7002;
    const rng = new Random(seed);
    let rejected = 0;
    for (let i = 0; i < 6000; i++) {
      const valid = validFrames(rng);
      const frame = i % 10 === 0 ? rng.bytes(rng.int(0, 64)) : mutate(rng, valid.response);
      try {
        decodeResponseFrame(valid.apiKey, valid.apiVersion, frame);
      } catch (e) {
        if (!(e instanceof DecodeError)) {
          throw new Error(`seed ${seed} iteration ${i}: ${String(e)} for frame ${frame.toString('hex')}`);
        }
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
