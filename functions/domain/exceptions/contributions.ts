/**
 * Segment contributions (exceptions.md §2.1), the most explanatory dimension and the breadth
 * verdict (§2.2). A metric is N/D over the parent's population; child i is that population
 * restricted to the child, so with wᵢ = Dᵢ/D and rᵢ = Nᵢ/Dᵢ
 *
 *     Σᵢ wᵢ · (rᵢ − bound) = N/D − bound · ΣDᵢ/D = actual − bound
 *
 * exactly once the part of the population without a value on the dimension is its own child
 * `""`. Counts (a metric with no denominator, e.g. `qa_fatal_errors`) are additive instead:
 * child i contributes Nᵢ − wᵢ · bound with wᵢ its share of the count's volume, which sums to
 * N − bound the same way.
 */
import type { MetricDefinition } from '../kpi/catalog.js';
import type { Contribution, Dimension, EvaluationStatus, Verdict } from './model.js';
import { DIMENSION_ORDER } from './model.js';

/** Id of the child holding the part of the population with no value on the dimension. */
export const RESIDUAL_ID = '';

/** A child of a split, with its volume in the sense of exceptions.md §1 for judging it. */
export interface Child extends Contribution {
  count_volume: number;
}

export interface ChildInput {
  id: string;
  metrics: Record<string, number | null>;
}

/** Relative tolerance under which the children are taken to cover the parent's whole population. */
const COVER_TOLERANCE = 1e-9;
/** Thresholds are compared with a little slack so that 0.5 + 0.3 counts as 80 %. */
const EPS = 1e-9;

/**
 * The children of one dimension, sorted by share of the gap (largest first), plus the residual
 * child when they do not cover the parent. Empty when the parent has no population to split.
 */
export function splitDimension(
  def: MetricDefinition,
  parent: Record<string, number | null>,
  actual: number,
  bound: number,
  cells: readonly ChildInput[],
): Child[] {
  const additive = def.denominator === undefined;
  const denominator = def.denominator ?? def.volume;
  const D = parent[denominator] ?? 0;
  if (!(D > 0)) return [];
  const V = parent[def.volume] ?? 0;
  const gap = actual - bound;
  const N = additive ? actual : actual * D;

  const children: Child[] = [];
  let sumN = 0;
  let sumD = 0;
  let sumV = 0;
  const push = (id: string, value: number | null, d: number, v: number, contribution: number) =>
    children.push({
      id,
      value,
      volume: d,
      volume_share: d / D,
      contribution,
      // A zero contribution has no sign: keep −0 out of the API.
      share_of_gap: contribution === 0 ? 0 : contribution / gap,
      count_volume: v,
    });

  for (const cell of cells) {
    const value = cell.metrics[def.name] ?? null;
    const d = cell.metrics[denominator] ?? 0;
    const v = cell.metrics[def.volume] ?? 0;
    if (value === null || !Number.isFinite(value)) {
      push(cell.id, null, d, v, 0);
      continue;
    }
    const n = additive ? value : value * d;
    sumN += n;
    sumD += d;
    sumV += v;
    push(cell.id, value, d, v, additive ? n - (d / D) * bound : (d / D) * (value - bound));
  }

  const restD = D - sumD;
  const restN = N - sumN;
  const tolerance = COVER_TOLERANCE * D;
  if (additive) {
    if (Math.abs(restD) > tolerance || Math.abs(restN) > COVER_TOLERANCE * Math.max(1, Math.abs(N)))
      push(RESIDUAL_ID, restN, restD, V - sumV, restN - (restD / D) * bound);
  } else if (Math.abs(restD) > tolerance) {
    const value = restN / restD;
    push(RESIDUAL_ID, value, restD, V - sumV, (restD / D) * (value - bound));
  }
  return children.sort(byShareDesc);
}

function byShareDesc(a: Contribution, b: Contribution): number {
  return b.share_of_gap - a.share_of_gap || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface Coverage<T extends Child = Child> {
  dimension: Dimension;
  /** Children needed to reach 80 % of the gap; 6 when 5 are not enough. */
  count: number;
  /** Share of the gap the counted children (at most 5) cover. */
  covered: number;
  /** Those children, largest share first. */
  taken: T[];
}

const COVER_TARGET = 0.8;
const MAX_SEGMENTS = 5;

/** How many children of one dimension, by share of the gap, it takes to explain 80 % of it. */
export function coverage<T extends Child>(dimension: Dimension, children: readonly T[]): Coverage<T> {
  const ranked = children.filter((c) => c.share_of_gap > 0).sort(byShareDesc);
  const taken: T[] = [];
  let covered = 0;
  for (const c of ranked.slice(0, MAX_SEGMENTS)) {
    taken.push(c);
    covered += c.share_of_gap;
    if (covered >= COVER_TARGET - EPS) return { dimension, count: taken.length, covered, taken };
  }
  return { dimension, count: MAX_SEGMENTS + 1, covered, taken };
}

/** Fewest children to 80 %; ties → larger covered share; then queue, team, agent, hour. */
export function mostExplanatory<T extends Child>(
  splits: Partial<Record<Dimension, readonly T[]>>,
): Coverage<T> | null {
  let best: Coverage<T> | null = null;
  for (const dimension of DIMENSION_ORDER) {
    const children = splits[dimension];
    if (!children || children.length === 0) continue;
    const c = coverage(dimension, children);
    if (!best || c.count < best.count || (c.count === best.count && c.covered > best.covered + EPS)) best = c;
  }
  return best;
}

export interface JudgedChild extends Child {
  status: EvaluationStatus;
}

export interface VerdictResult {
  verdict: Verdict;
  /** Children whose own status is breached. */
  breached: JudgedChild[];
  /** The 1 or 2 children that make it concentrated; else empty. */
  concentrated_in: JudgedChild[];
}

const SYSTEMIC_SHARE = 0.6;
const CONCENTRATED_GAP = 0.7;
const CONCENTRATED_VOLUME = 0.4;

/** exceptions.md §2.2, tested in order: systemic, concentrated, mixed. */
export function breadthVerdict(children: readonly JudgedChild[]): VerdictResult {
  const breached = children.filter((c) => c.status === 'breached');
  const breachedShare = breached.reduce((s, c) => s + c.volume_share, 0);
  if (breachedShare >= SYSTEMIC_SHARE - EPS) return { verdict: 'systemic', breached, concentrated_in: [] };
  const ranked = [...children].sort(byShareDesc);
  for (const k of [1, 2]) {
    const top = ranked.slice(0, k);
    if (top.length < k) break;
    const gapShare = top.reduce((s, c) => s + c.share_of_gap, 0);
    const volumeShare = top.reduce((s, c) => s + c.volume_share, 0);
    if (gapShare >= CONCENTRATED_GAP - EPS && volumeShare <= CONCENTRATED_VOLUME + EPS)
      return { verdict: 'concentrated', breached, concentrated_in: top };
  }
  return { verdict: 'mixed', breached, concentrated_in: [] };
}
