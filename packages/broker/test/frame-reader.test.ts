import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { FramePool, retainFrame } from '../src/network/frame-pool.ts';
import { type FrameEvent, FrameReader } from '../src/network/frame-reader.ts';

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(p.length);
      return [size, p];
    }),
  );
}

function frames(events: FrameEvent[]): Buffer[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [Buffer.from(e.frame)] : []));
}

describe('FrameReader', () => {
  it('splits a stream cut at every possible point into the same frames', () => {
    const random = new Random(7);
    const payloads = [random.bytes(1), random.bytes(0), random.bytes(300), random.bytes(17)];
    const stream = framed(payloads);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader(1000);
      const out = [...frames(reader.push(stream.subarray(0, cut))), ...frames(reader.push(stream.subarray(cut)))];
      expect(out).toEqual(payloads);
    }
  });

  it('delivers frames fed one byte at a time', () => {
    const random = new Random(8);
    const payloads = Array.from({ length: 20 }, () => random.bytes(random.int(0, 50)));
    const stream = framed(payloads);
    const reader = new FrameReader(1000);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...frames(reader.push(stream.subarray(i, i + 1))));
    expect(out).toEqual(payloads);
  });

  it('hands out a frame contained in one chunk without copying it', () => {
    const stream = framed([Buffer.from('hello')]);
    const [event] = new FrameReader(100).push(stream);
    expect(event?.kind).toBe('frame');
    if (event?.kind === 'frame') expect(event.frame.buffer).toBe(stream.buffer);
  });

  it('reports a size above the limit, or negative, as oversized', () => {
    const big = Buffer.alloc(4);
    big.writeInt32BE(101);
    expect(new FrameReader(100).push(big)).toEqual([{ kind: 'oversized', sizeBytes: 101 }]);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-1);
    expect(new FrameReader(100).push(negative)).toEqual([{ kind: 'oversized', sizeBytes: -1 }]);
  });

  it('assembles a frame spanning chunks in pooled memory and hands over the claim; a frame inside one chunk has none', () => {
    const pool = new FramePool({
      frameBytesMin: 100,
      frameBytesMax: 10_000,
      freeBytesMax: 100_000,
      poisonReleased: false,
    });
    const random = new Random(9);
    const big = random.bytes(3000);
    const small = random.bytes(50);
    const stream = framed([big, small]);
    const reader = new FrameReader(10_000, pool);
    const events = [...reader.push(stream.subarray(0, 1000)), ...reader.push(stream.subarray(1000))];
    const [first, second] = events;
    if (first?.kind !== 'frame' || second?.kind !== 'frame') throw new Error('expected two frames');
    expect(first.frame).toEqual(big);
    expect(first.claim).not.toBeNull();
    expect(retainFrame(first.frame)).not.toBeNull();
    expect(second.frame).toEqual(small);
    expect(second.claim).toBeNull();
    expect(pool.stats.acquired).toBe(1);
  });

  it('a frame declaring 100 MiB costs the bytes that arrived, not its declared size', () => {
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(100 * 1024 * 1024);
    const reader = new FrameReader(100 * 1024 * 1024);
    const external = process.memoryUsage().arrayBuffers;
    expect(reader.push(Buffer.concat([prefix, Buffer.from('abc')]))).toEqual([]);
    for (let i = 0; i < 100; i++) reader.push(Buffer.from('x'));
    expect(reader.midFrame).toBe(true);
    expect(reader.bufferedBytes).toBe(4 + 3 + 100);
    // The trickle is staged in one small buffer, nowhere near the declared 100 MiB.
    expect(process.memoryUsage().arrayBuffers - external).toBeLessThan(1024 * 1024);
  });

  it('assembles a frame from large and small pieces in order', () => {
    const random = new Random(10);
    const payload = random.bytes(100_000);
    const stream = framed([payload]);
    const reader = new FrameReader(200_000);
    const cuts = [3, 10, 40_000, 40_005, 40_006, 90_000, stream.length];
    const out: Buffer[] = [];
    let from = 0;
    for (const cut of cuts) {
      out.push(...frames(reader.push(stream.subarray(from, cut))));
      from = cut;
    }
    expect(out).toEqual([payload]);
    expect(reader.midFrame).toBe(false);
    expect(reader.bufferedBytes).toBe(0);
  });
});
