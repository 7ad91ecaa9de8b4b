import { describe, expect, it } from 'vitest';
import { AppendOrder } from '../src/handlers/append-order.ts';

describe('AppendOrder', () => {
  it('lets a later turn of the same connection and partition proceed only after the earlier one is done', async () => {
    const order = new AppendOrder();
    const first = order.take(1, 't', 0);
    const second = order.take(1, 't', 0);
    const other = order.take(2, 't', 0);
    const seen: string[] = [];
    void second.ready.then(() => seen.push('second'));
    await other.ready;
    seen.push('other connection');
    await Promise.resolve();
    expect(seen).toEqual(['other connection']);
    first.done();
    await second.ready;
    expect(seen).toEqual(['other connection', 'second']);
    second.done();
    other.done();
    other.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order.keysInUse).toBe(0);
  });
});
