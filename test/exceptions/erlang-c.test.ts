import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangC, serviceLevel } from '../../functions/domain/exceptions/erlang-c.js';

/** The textbook form, Aⁿ/n! · n/(n − A) over Σₖ₍ₙ Aᵏ/k! + the same: fine for small n. */
function erlangCByFactorials(n: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const waiting = (term * n) / (n - a);
  return waiting / (sum + waiting);
}

describe('Erlang C', () => {
  // 100 calls in the hour × 180 s = 5 erlangs; target 80 % answered within 20 s.
  // By hand: P(wait) with 7 agents = 0.3241, SL = 1 − 0.3241 · e^(−2·20/180) = 0.7404;
  // with 8 agents P(wait) = 0.1673, SL = 1 − 0.1673 · e^(−3·20/180) = 0.8801. So 8 agents.
  it('needs 8 agents for 100 calls an hour at 180 s to answer 80 % within 20 s', () => {
    expect(erlangC(7, 5)).toBeCloseTo(0.324149949, 9);
    expect(erlangC(8, 5)).toBeCloseTo(0.167266507, 9);
    expect(serviceLevel(7, 5, 180, 20)).toBeCloseTo(0.740441, 6);
    expect(serviceLevel(8, 5, 180, 20)).toBeCloseTo(0.880148, 6);
    expect(
      agentsNeeded({ calls: 100, ahtSeconds: 180, targetServiceLevel: 0.8, serviceLevelSeconds: 20 }),
    ).toBe(8);
  });

  it('agrees with the factorial form', () => {
    for (const a of [0.5, 3, 12.5, 40])
      for (let n = Math.floor(a) + 1; n < a + 15; n++)
        expect(erlangC(n, a)).toBeCloseTo(erlangCByFactorials(n, a), 12);
  });

  it('needs more agents for a stricter target, and none for no calls', () => {
    const q = { calls: 100, ahtSeconds: 180, serviceLevelSeconds: 20 };
    // 9 agents give 94.8 %.
    expect(agentsNeeded({ ...q, targetServiceLevel: 0.95 })).toBe(10);
    expect(agentsNeeded({ ...q, targetServiceLevel: 0 })).toBe(6);
    expect(agentsNeeded({ ...q, calls: 0, targetServiceLevel: 0.8 })).toBe(0);
    expect(agentsNeeded({ ...q, ahtSeconds: 0, targetServiceLevel: 0.8 })).toBeNull();
  });

  it('stays finite for a large centre, where Aⁿ/n! overflows', () => {
    const n = agentsNeeded({
      calls: 10_000,
      ahtSeconds: 300,
      targetServiceLevel: 0.8,
      serviceLevelSeconds: 20,
    });
    // 833 erlangs: square-root staffing puts the answer a little above A.
    expect(n).toBeGreaterThan(834);
    expect(n).toBeLessThan(834 + 40);
    expect(Number.isFinite(erlangC(900, 833.3))).toBe(true);
  });

  it('cannot staff for 100 % answered in time', () => {
    expect(
      agentsNeeded({ calls: 100, ahtSeconds: 180, targetServiceLevel: 1, serviceLevelSeconds: 20 }),
    ).toBeNull();
  });
});
