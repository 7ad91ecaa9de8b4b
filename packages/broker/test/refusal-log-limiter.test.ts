import { describe, expect, it } from 'vitest';
import { RefusalLogLimiter } from '../src/handlers/refusal-log-limiter.ts';

describe('RefusalLogLimiter', () => {
  it('admits a budget of lines per window and reports the suppressed count on the next admitted line', () => {
    const limiter = new RefusalLogLimiter(1000, 2);
    expect(limiter.admit(0)).toEqual({ suppressed: 0 });
    expect(limiter.admit(10)).toEqual({ suppressed: 0 });
    expect(limiter.admit(20)).toBeNull();
    expect(limiter.admit(999)).toBeNull();
    expect(limiter.admit(1000)).toEqual({ suppressed: 2 });
    expect(limiter.admit(1001)).toEqual({ suppressed: 0 });
    expect(limiter.admit(1002)).toBeNull();
  });
});
