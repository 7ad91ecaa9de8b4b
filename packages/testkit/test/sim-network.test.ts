import type { Message } from '@runnel/raft';
import { describe, expect, it } from 'vitest';
import { calmNetworkFaults, Scheduler, SimNetwork } from '../src/index.ts';

const message = (from: number, to: number, index = 0): Message => ({
  type: 'heartbeat',
  from,
  to,
  term: 1,
  logTerm: 0,
  index,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  snapshot: null,
});

/** Advances the scheduler until every queued message is due, then drains them. */
function drain(scheduler: Scheduler, network: SimNetwork): string[] {
  const outcomes: string[] = [];
  for (let step = 0; step < 1000 && network.inFlightCount > 0; step++) {
    const delivery = network.takeDue();
    if (delivery !== null) outcomes.push(`${delivery.message.index}:${delivery.outcome}`);
    scheduler.advanceStep();
  }
  return outcomes;
}

describe('SimNetwork', () => {
  it('a partition cuts messages between its sides, and healing restores delivery', () => {
    const scheduler = new Scheduler(7);
    const network = new SimNetwork(scheduler, calmNetworkFaults);
    network.partition([[1], [2, 3]]);
    network.send(message(1, 2, 1));
    network.send(message(2, 3, 2));
    expect(drain(scheduler, network).sort()).toEqual(['1:unreachable', '2:delivered']);
    network.heal();
    network.send(message(1, 2, 3));
    expect(drain(scheduler, network)).toEqual(['3:delivered']);
  });

  it('with delays, messages arrive out of order; duplication delivers some twice', () => {
    const scheduler = new Scheduler(11);
    const faults = { dropProbability: 0, duplicateProbability: 0.5, delayStepsMin: 0, delayStepsMax: 20 };
    const network = new SimNetwork(scheduler, faults);
    for (let index = 1; index <= 50; index++) network.send(message(1, 2, index));
    const order = drain(scheduler, network).map((outcome) => Number(outcome.split(':')[0]));
    expect(order.length).toBeGreaterThan(50);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(50);
  });

  it('drop probability 1 loses every message', () => {
    const scheduler = new Scheduler(3);
    const network = new SimNetwork(scheduler, { ...calmNetworkFaults, dropProbability: 1 });
    for (let index = 1; index <= 10; index++) network.send(message(1, 2, index));
    expect(drain(scheduler, network).every((outcome) => outcome.endsWith(':lost'))).toBe(true);
  });

  it('the same seed gives the same delivery order', () => {
    const run = (): string[] => {
      const scheduler = new Scheduler(99);
      const network = new SimNetwork(scheduler, { ...calmNetworkFaults, delayStepsMax: 10, dropProbability: 0.2 });
      for (let index = 1; index <= 30; index++) network.send(message(1, 2, index));
      return drain(scheduler, network);
    };
    expect(run()).toEqual(run());
  });
});
