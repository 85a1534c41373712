/**
 * One centre-day's evaluation (exceptions.md §1) and the drill-down of each exception (§2):
 * a pure function of the day's KPI records, its breakdown, the previous day's evaluation, up to
 * 28 days of history and the day's ledger.
 */
import type { CenterConfig, Parameters } from '../config.js';
import { CHILD_DIMENSIONS, type DayBreakdown } from '../kpi/breakdown.js';
import { type MetricDefinition, metricDefinition } from '../kpi/catalog.js';
import { UNASSIGNED_TEAM } from '../kpi/rollup.js';
import { addDays } from '../time.js';
import {
  breadthVerdict,
  type Child,
  coverage,
  type JudgedChild,
  mostExplanatory,
  RESIDUAL_ID,
  splitDimension,
  type VerdictResult,
} from './contributions.js';
import { type DataQualityCause, dataQualityCause, type LedgerFacts } from './data-quality.js';
import { type DayItem, DayView, type HistoryDay, HistoryIndex } from './day-view.js';
import {
  ahtDrivers,
  doubleLoopCause,
  hoursCause,
  isDoubleLoopMetric,
  isPerAgent,
  perAgentCauses,
  QUEUE_DRIVEN,
  queueDrivers,
  repeatContactCauses,
  type Subject,
  staffingCauses,
} from './drivers.js';
import {
  type Cause,
  type Contribution,
  type DayEvaluation,
  type Dimension,
  EVALUATED_SCOPES,
  type EvaluatedScope,
  type Evaluation,
  type EvaluationStatus,
  type ExceptionScope,
  type KpiException,
  type RecoveredMetric,
  type Severity,
  type TargetsInForce,
} from './model.js';
import { summarize, type Within } from './summary.js';
import {
  judge,
  minVolumeFor,
  targetedMetrics,
  targetFor,
  targetsInForce,
  targetsVersion,
} from './targets.js';

export type { LedgerFacts } from './data-quality.js';
export type { DayItem, HistoryDay } from './day-view.js';
export { targetFor, targetsInForce, targetsVersion } from './targets.js';

export interface EvaluateDayInput {
  center: string;
  /** Local date YYYY-MM-DD. */
  date: string;
  config: CenterConfig;
  /** resolveParameters(config). */
  params: Parameters;
  kpiVersion: number;
  /** ISO instant. */
  evaluatedAt: string;
  /** The day's KPI records at every scope (center, queue, team, agent, hour). */
  items: readonly DayItem[];
  /** Null: no contributions, no segment causes and no verdict. */
  breakdown: DayBreakdown | null;
  /** The stored evaluation of the previous calendar day, if any. */
  previous: DayEvaluation | null;
  /** Up to the previous 28 days, ascending; centre, queue, team and hour records. */
  history: readonly HistoryDay[];
  /** Objects touching the day plus rejected objects received that day. */
  ledger: readonly LedgerFacts[];
}

const STATUSES: readonly EvaluationStatus[] = ['not_applicable', 'insufficient_data', 'met', 'breached'];
const EXCEPTION_SCOPES: readonly ExceptionScope[] = ['center', 'queue', 'team'];

export function evaluateDay(input: EvaluateDayInput): DayEvaluation {
  const tif = targetsInForce(input.config, input.params);
  const version = targetsVersion(tif);
  const view = new DayView(input.items, input.breakdown);
  const history = new HistoryIndex(input.history);
  const evaluations = evaluateAll(tif, view, input.center);

  const counts = Object.fromEntries(
    EVALUATED_SCOPES.map((s) => [s, Object.fromEntries(STATUSES.map((st) => [st, 0]))]),
  ) as DayEvaluation['counts'];
  for (const e of evaluations) counts[e.scope][e.status]++;

  // A previous evaluation of another day would carry a streak across a gap.
  const previous = input.previous?.date === addDays(input.date, -1) ? input.previous : null;
  const yesterday = new Map((previous?.exceptions ?? []).map((x) => [key(x), x]));
  const today = new Map(evaluations.map((e) => [key(e), e]));

  const breaches = evaluations.filter(
    (e): e is Evaluation & { scope: ExceptionScope } => e.status === 'breached' && e.scope !== 'agent',
  );
  const dq =
    breaches.length > 0
      ? dataQualityCause(input.date, input.params.timezone, input.ledger, view, history)
      : null;
  const ctx: Context = { input, tif, version, view, history, dq, noRoster: hasNoRoster(view) };
  const exceptions = breaches.map((e) => {
    const prev = yesterday.get(key(e));
    return drillDown(e, prev ? prev.streak + 1 : 1, ctx);
  });
  exceptions.sort(
    (a, b) =>
      EXCEPTION_SCOPES.indexOf(a.scope) - EXCEPTION_SCOPES.indexOf(b.scope) ||
      compare(a.id, b.id) ||
      compare(a.metric, b.metric),
  );

  const recovered: RecoveredMetric[] = [];
  for (const x of previous?.exceptions ?? []) {
    const e = today.get(key(x));
    if (e?.status === 'met' && e.actual !== null)
      recovered.push({
        metric: x.metric,
        scope: x.scope,
        id: x.id,
        actual: e.actual,
        target: e.target,
        previous_streak: x.streak,
      });
  }

  return {
    center: input.center,
    date: input.date,
    kpi_version: input.kpiVersion,
    targets_version: version,
    targets: tif,
    evaluated_at: input.evaluatedAt,
    counts,
    exceptions,
    recovered,
  };
}

/** Every metric with a target, at every evaluated scope and id of the day (exceptions.md §1). */
export function evaluateAll(tif: TargetsInForce, view: DayView, center: string): Evaluation[] {
  const out: Evaluation[] = [];
  for (const metric of targetedMetrics(tif)) {
    const def = metricDefinition(metric);
    for (const scope of EVALUATED_SCOPES) {
      const ids = scope === 'center' ? [center] : view.items(scope).map(([id]) => id);
      for (const id of ids) {
        const target = targetFor(tif, metric, scope, id);
        if (!target) continue;
        const min_volume = minVolumeFor(tif, metric, scope);
        const item = def?.scopes.includes(scope) ? view.item(scope, id) : undefined;
        const actual = item?.[metric] ?? null;
        const volume = item && def ? (item[def.volume] ?? 0) : null;
        const j = judge(actual, volume, min_volume, target);
        out.push({
          metric,
          scope,
          id,
          actual,
          target,
          bound: j.bound,
          status: j.status,
          severity: j.severity,
          volume: j.status === 'not_applicable' ? null : volume,
          min_volume,
        });
      }
    }
  }
  return out;
}

interface Context {
  input: EvaluateDayInput;
  tif: TargetsInForce;
  version: string;
  view: DayView;
  history: HistoryIndex;
  dq: DataQualityCause | null;
  noRoster: boolean;
}

function drillDown(e: Evaluation & { scope: ExceptionScope }, streak: number, ctx: Context): KpiException {
  const { input, tif, view } = ctx;
  // A breach has a value, a bound and a catalog definition.
  const def = metricDefinition(e.metric) as MetricDefinition;
  const actual = e.actual as number;
  const bound = e.bound as number;
  const subject: Subject = {
    metric: e.metric,
    scope: e.scope,
    id: e.id,
    date: input.date,
    actual,
    bound,
    target: e.target,
  };

  const splits: Partial<Record<Dimension, JudgedChild[]>> = {};
  const parent = view.item(e.scope, e.id) ?? {};
  if (view.breakdown && !isPerAgent(def)) {
    for (const dimension of CHILD_DIMENSIONS[e.scope]) {
      if (!def.scopes.includes(dimension)) continue;
      const cells = view.cells(e.scope, e.id, dimension);
      // A dimension the breakdown did not split would be one residual child: not a split at all.
      if (cells.length === 0) continue;
      const children = splitDimension(def, parent, actual, bound, cells);
      if (children.length === 0) continue;
      const minVolume = minVolumeFor(tif, e.metric, dimension);
      splits[dimension] = children.map((c) => ({
        ...c,
        status: judge(c.value, c.count_volume, minVolume, e.target).status,
      }));
    }
  }

  const best = mostExplanatory(splits);
  const segments: Cause[] = (best?.taken ?? []).map((c) => ({
    kind: 'segment',
    dimension: best?.dimension as Dimension,
    id: c.id,
    value: c.value,
    volume_share: c.volume_share,
    status: c.status,
    share_of_gap: c.share_of_gap,
  }));

  const breadthDim = breadthDimension(def, e.scope, ctx.noRoster);
  const breadthChildren = breadthDim ? splits[breadthDim] : undefined;
  const verdict: VerdictResult | null = breadthChildren ? breadthVerdict(breadthChildren) : null;

  const causes: Cause[] = [
    ...(ctx.dq ? [ctx.dq] : []),
    ...segments,
    ...metricCauses(subject, def, splits.hour ?? [], ctx),
  ];
  const summary = summarize({
    metric: e.metric,
    date: input.date,
    actual,
    target: e.target,
    bound,
    verdict,
    breadth: breadthDim && breadthChildren ? { dimension: breadthDim, children: breadthChildren } : null,
    within: verdict ? agentsWithin(def, verdict, breadthDim, bound, view) : null,
    causes,
  });

  return {
    date: input.date,
    center: input.center,
    metric: e.metric,
    scope: e.scope,
    id: e.id,
    actual,
    target: e.target,
    bound,
    status: 'breached',
    severity: e.severity as Severity,
    state: streak > 1 ? 'continuing' : 'new',
    streak,
    volume: e.volume ?? 0,
    suspect_data: ctx.dq !== null,
    verdict: verdict?.verdict ?? null,
    contributions: Object.fromEntries(
      Object.entries(splits).map(([d, children]) => [d, children.map(publicContribution)]),
    ),
    causes,
    summary,
    targets_version: ctx.version,
  };
}

function metricCauses(
  subject: Subject,
  def: MetricDefinition,
  hours: readonly Child[],
  ctx: Context,
): Cause[] {
  const { view, history, tif, input } = ctx;
  if (isPerAgent(def)) return perAgentCauses(subject, def, view);
  if (subject.metric === 'aht_seconds') return ahtDrivers(subject, view, history);
  if (QUEUE_DRIVEN.has(subject.metric)) {
    const hoursAt = hoursCause(hours);
    return [
      ...queueDrivers(subject, view, history),
      ...(hoursAt ? [hoursAt] : []),
      ...staffingCauses(subject, hours, view, tif, input.params),
    ];
  }
  if (isDoubleLoopMetric(subject.metric)) {
    const c = doubleLoopCause(subject, view, tif);
    return c ? [c] : [];
  }
  if (subject.metric === 'fcr_rate') return repeatContactCauses(subject, view);
  return [];
}

/**
 * When one team (or queue) concentrates the gap, the agents that explain most of it, measured
 * the same way inside that child against the same bound ("agents A0132 and A0177 explain most
 * of team B's").
 */
function agentsWithin(
  def: MetricDefinition,
  verdict: VerdictResult,
  dimension: Dimension | null,
  bound: number,
  view: DayView,
): Within | null {
  const [top, ...others] = verdict.concentrated_in;
  if (!top || others.length > 0 || top.id === RESIDUAL_ID) return null;
  if ((dimension !== 'team' && dimension !== 'queue') || !def.scopes.includes('agent')) return null;
  const parent = view.item(dimension, top.id);
  const value = parent?.[def.name];
  if (!parent || value === null || value === undefined || value === bound) return null;
  const split = splitDimension(def, parent, value, bound, view.cells(dimension, top.id, 'agent'));
  const { taken } = coverage('agent', split);
  const agents = taken.slice(0, 2).filter((c) => c.id !== RESIDUAL_ID);
  if (agents.length === 0) return null;
  return {
    dimension,
    id: top.id,
    agents: agents.map((c) => c.id),
    share_of_gap: agents.reduce((t, c) => t + c.share_of_gap, 0),
  };
}

/**
 * exceptions.md §2.2: queue-side metrics spread over queues (centre) or hours (queue); the
 * others over teams (centre; queues without a roster), agents (team) or teams (queue).
 */
export function breadthDimension(
  def: MetricDefinition,
  scope: ExceptionScope,
  noRoster: boolean,
): Dimension | null {
  if (def.side === 'queue') return scope === 'center' ? 'queue' : scope === 'queue' ? 'hour' : null;
  if (scope === 'center') return noRoster ? 'queue' : 'team';
  return scope === 'team' ? 'agent' : 'team';
}

/** Without a roster every agent is `unassigned` (or there are no teams): teams say nothing. */
function hasNoRoster(view: DayView): boolean {
  return view.items('team').every(([id]) => id === UNASSIGNED_TEAM);
}

function publicContribution(c: JudgedChild): Contribution {
  return {
    id: c.id,
    value: c.value,
    volume: c.volume,
    volume_share: c.volume_share,
    contribution: c.contribution,
    share_of_gap: c.share_of_gap,
  };
}

function key(x: { metric: string; scope: EvaluatedScope; id: string }): string {
  return `${x.metric}\u0000${x.scope}\u0000${x.id}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
