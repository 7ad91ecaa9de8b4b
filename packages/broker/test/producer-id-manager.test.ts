/**
 * ProducerIdManager: ids come from controller blocks, in order, never
 * twice; the next block is fetched ahead of need; callers racing for the
 * first block share one request; a controller that does not answer makes
 * InitProducerId retriable rather than failing the broker.
 */
import { err, ok, silentLogger } from '@runnel/common';
import { ControllerUnavailableError } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { ProducerIdManager } from '../src/producers/producer-id-manager.ts';

function controller(blockSize: number) {
  let next = 5000n;
  const asked: bigint[] = [];
  let failNext: 'unavailable' | 'refused' | null = null;
  return {
    asked,
    failOnce(kind: 'unavailable' | 'refused') {
      failNext = kind;
    },
    allocate: async () => {
      const failure = failNext;
      failNext = null;
      if (failure === 'unavailable') throw new ControllerUnavailableError('no leader');
      if (failure === 'refused') return err('stale_broker_epoch' as const, 'old epoch');
      const first = next;
      next += BigInt(blockSize) + 100n; // blocks need not be adjacent
      asked.push(first);
      return ok({ firstProducerId: first, size: blockSize });
    },
  };
}

describe('ProducerIdManager', () => {
  it('hands out every id of a block in order, then moves to the next block, never repeating one', async () => {
    const c = controller(10);
    const ids = new ProducerIdManager({ allocate: c.allocate, logger: silentLogger() });
    const got: bigint[] = [];
    for (let i = 0; i < 25; i++) {
      const id = await ids.next();
      if (!id.ok) throw new Error(id.error);
      got.push(id.value);
    }
    expect(new Set(got).size).toBe(25);
    expect(got.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => 5000n + BigInt(i)));
    expect(got[10]).toBe(c.asked[1]);
  });

  it('asks for the next block once 90% of the current one is used, before it runs out', async () => {
    const c = controller(10);
    const ids = new ProducerIdManager({ allocate: c.allocate, logger: silentLogger() });
    for (let i = 0; i < 8; i++) await ids.next();
    expect(c.asked).toHaveLength(1);
    await ids.next(); // the 9th id: 90% used
    await Promise.resolve();
    expect(c.asked).toHaveLength(2);
  });

  it('concurrent first calls share one request and still get distinct ids', async () => {
    const c = controller(100);
    const ids = new ProducerIdManager({ allocate: c.allocate, logger: silentLogger() });
    const got = await Promise.all(Array.from({ length: 20 }, () => ids.next()));
    expect(c.asked).toHaveLength(1);
    expect(new Set(got.map((g) => (g.ok ? g.value : -1n))).size).toBe(20);
  });

  it('answers unavailable while the controller does not answer or refuses, and recovers on the next call', async () => {
    const c = controller(10);
    const ids = new ProducerIdManager({ allocate: c.allocate, logger: silentLogger() });
    c.failOnce('unavailable');
    expect(await ids.next()).toEqual(err('unavailable'));
    c.failOnce('refused');
    expect(await ids.next()).toEqual(err('unavailable'));
    expect(await ids.next()).toEqual(ok(5000n));
  });

  it('tryNext answers unavailable at once while the first block is fetched, then hands out its ids', async () => {
    const c = controller(10);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ids = new ProducerIdManager({
      allocate: async () => {
        await gate;
        return c.allocate();
      },
      logger: silentLogger(),
    });
    expect(ids.tryNext()).toEqual(err('unavailable'));
    expect(ids.tryNext()).toEqual(err('unavailable'));
    release();
    const first = await ids.next(); // shares the fetch tryNext started
    expect(c.asked).toEqual([5000n]);
    expect(first).toEqual(ok(5000n));
    expect(ids.tryNext()).toEqual(ok(5001n));
  });

  it('tryNext moves to the block fetched ahead without waiting, never repeating an id', async () => {
    const c = controller(10);
    const ids = new ProducerIdManager({ allocate: c.allocate, logger: silentLogger() });
    const got: bigint[] = [];
    const first = await ids.next();
    if (first.ok) got.push(first.value);
    for (let i = 0; i < 9; i++) {
      const id = ids.tryNext();
      if (id.ok) got.push(id.value);
    }
    // The prefetch started at 90% answers in microtasks; setImmediate runs after all of them.
    await new Promise((resolve) => setImmediate(resolve));
    const next = ids.tryNext();
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => 5000n + BigInt(i)));
    expect(c.asked).toHaveLength(2);
    expect(next).toEqual(ok(c.asked[1]));
  });
});
