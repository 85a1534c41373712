/**
 * Erlang C staffing (exceptions.md §2.3): the agents an hour needed to meet its service-level
 * target. Erlang B is built by its recursion B(k) = A·B(k−1) / (k + A·B(k−1)), which stays in
 * [0, 1] for any traffic — the textbook Aⁿ/n! form overflows past a few hundred agents.
 */

/** Probability that a call waits, with `agents` serving `traffic` erlangs (1 when agents ≤ traffic). */
export function erlangC(agents: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (traffic * b) / (k + traffic * b);
  return fromErlangB(agents, traffic, b);
}

function fromErlangB(agents: number, traffic: number, b: number): number {
  return (agents * b) / (agents - traffic * (1 - b));
}

/** Share of calls answered within `slSeconds`: 1 − C · e^(−(N − A) · T / AHT). */
export function serviceLevel(agents: number, traffic: number, ahtSeconds: number, slSeconds: number): number {
  if (traffic <= 0) return 1;
  if (agents <= traffic) return 0;
  return withinSeconds(agents, traffic, erlangC(agents, traffic), ahtSeconds, slSeconds);
}

function withinSeconds(agents: number, traffic: number, c: number, ahtSeconds: number, slSeconds: number) {
  return 1 - c * Math.exp((-(agents - traffic) * slSeconds) / ahtSeconds);
}

export interface StaffingQuestion {
  /** Calls offered in the interval. */
  calls: number;
  ahtSeconds: number;
  /** Target service level as a fraction, e.g. 0.8. */
  targetServiceLevel: number;
  serviceLevelSeconds: number;
  /** Interval length; an hour unless told. */
  intervalSeconds?: number;
}

/**
 * The smallest agent count whose Erlang C service level meets the target; null when the
 * inputs cannot be staffed for (no handle time, or a target of 100 % that no finite team
 * reaches).
 */
export function agentsNeeded(q: StaffingQuestion): number | null {
  if (q.calls <= 0) return 0;
  // Every finite team leaves some calls waiting, though floating point would round 1 − ε up to 1.
  if (!(q.ahtSeconds > 0) || q.targetServiceLevel >= 1) return null;
  const traffic = (q.calls * q.ahtSeconds) / (q.intervalSeconds ?? 3600);
  // Square-root staffing needs about A + 4√A agents even for extreme targets; beyond that the target is unreachable.
  const limit = Math.ceil(traffic + 10 * Math.sqrt(traffic)) + 100;
  let b = 1;
  for (let n = 1; n <= limit; n++) {
    b = (traffic * b) / (n + traffic * b);
    if (n <= traffic) continue;
    const c = fromErlangB(n, traffic, b);
    if (withinSeconds(n, traffic, c, q.ahtSeconds, q.serviceLevelSeconds) >= q.targetServiceLevel) return n;
  }
  return null;
}
