/**
 * FramePool: large request frames on recycled memory. A slab is reused only
 * once every claim on it is released; a claim taken from any view of the
 * frame (retainFrame) keeps it out of the pool; poison mode overwrites a
 * slab on its last release; releasing twice asserts; memory that is not a
 * pooled frame's has nothing to claim.
 */
import { describe, expect, it } from 'vitest';
import { FramePool, poisonByte, retainFrame } from '../src/network/frame-pool.ts';

const kib = 1024;

function pool(overrides: { freeBytesMax?: number; poisonReleased?: boolean } = {}): FramePool {
  return new FramePool({
    frameBytesMin: 64 * kib,
    frameBytesMax: 4 * 1024 * kib,
    freeBytesMax: overrides.freeBytesMax ?? 16 * 1024 * kib,
    poisonReleased: overrides.poisonReleased ?? false,
  });
}

function acquired(p: FramePool, sizeBytes: number) {
  const got = p.acquire(sizeBytes);
  if (got === null) throw new Error(`${sizeBytes} bytes not pooled`);
  return got;
}

describe('FramePool', () => {
  it('hands out a frame of exactly the asked size and reuses its memory once released', () => {
    const p = pool();
    const first = acquired(p, 1_000_000);
    expect(first.frame.length).toBe(1_000_000);
    first.claim.release();
    const second = acquired(p, 900_000);
    expect(second.frame.length).toBe(900_000);
    expect(second.frame.buffer).toBe(first.frame.buffer);
    expect(p.stats).toMatchObject({ acquired: 2, reused: 1 });
  });

  it('does not pool frames outside its size range', () => {
    const p = pool();
    expect(p.acquire(64 * kib - 1)).toBeNull();
    expect(p.acquire(4 * 1024 * kib + 1)).toBeNull();
  });

  it('keeps a frame out of the pool while a claim taken from a view of it is held', () => {
    const p = pool();
    const first = acquired(p, 200 * kib);
    const records = first.frame.subarray(100, 150 * kib);
    const held = retainFrame(records);
    expect(held).not.toBeNull();
    first.claim.release();
    const second = acquired(p, 200 * kib);
    expect(second.frame.buffer).not.toBe(first.frame.buffer);
    held?.release();
    second.claim.release();
    const third = acquired(p, 200 * kib);
    expect([first.frame.buffer, second.frame.buffer]).toContain(third.frame.buffer);
  });

  it('in poison mode overwrites a frame on its last release, not before', () => {
    const p = pool({ poisonReleased: true });
    const { frame, claim } = acquired(p, 100 * kib);
    frame.fill(7);
    const held = retainFrame(frame.subarray(10, 20));
    claim.release();
    expect(frame.every((b) => b === 7)).toBe(true);
    held?.release();
    expect(frame.every((b) => b === poisonByte)).toBe(true);
  });

  it('asserts when a claim is released twice', () => {
    const p = pool();
    const { frame, claim } = acquired(p, 100 * kib);
    const held = retainFrame(frame);
    held?.release();
    expect(() => held?.release()).toThrow(/released twice/);
    claim.release();
  });

  it('asserts when the bytes of a released frame are claimed', () => {
    const p = pool();
    const { frame, claim } = acquired(p, 100 * kib);
    claim.release();
    expect(() => retainFrame(frame)).toThrow(/released frame/);
  });

  it('has nothing to claim for memory that is not a pooled frame', () => {
    expect(retainFrame(Buffer.alloc(100 * kib))).toBeNull();
    expect(retainFrame(Buffer.from('small'))).toBeNull();
  });

  it('keeps at most freeBytesMax of released frames; the rest is left to the garbage collector', () => {
    const p = pool({ freeBytesMax: 512 * kib });
    const frames = [acquired(p, 256 * kib), acquired(p, 256 * kib), acquired(p, 256 * kib)];
    for (const f of frames) f.claim.release();
    expect(p.stats.freeBytes).toBe(512 * kib);
    const again = [acquired(p, 256 * kib), acquired(p, 256 * kib), acquired(p, 256 * kib)];
    expect(p.stats.reused).toBe(2);
    expect(new Set(again.map((f) => f.frame.buffer)).size).toBe(3);
  });
});
