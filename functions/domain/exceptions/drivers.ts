/**
 * Metric-specific causes (exceptions.md §2.3): drivers against a baseline, the hours and the
 * staffing behind a queue-side shortfall, double-loop agents, repeat contacts, and the agents
 * furthest out on a per-agent metric.
 */
import type { Parameters, Target } from '../config.js';
import type { MetricDefinition } from '../kpi/catalog.js';
import { type Child, coverage } from './contributions.js';
import type { DayView, HistoryIndex } from './day-view.js';
import { agentsNeeded } from './erlang-c.js';
import type { Cause, ExceptionScope, TargetsInForce } from './model.js';
import { targetFor, violatedBound } from './targets.js';

type DriverCause = Extract<Cause, { kind: 'driver' }>;

export interface Subject {
  metric: string;
  scope: ExceptionScope;
  id: string;
  date: string;
  actual: number;
  bound: number;
  target: Target;
}

export const AHT_PARTS = ['avg_talk_seconds', 'avg_hold_seconds', 'avg_acw_seconds'] as const;
export const QUEUE_DRIVEN = new Set([
  'service_level',
  'answer_rate',
  'abandon_rate',
  'avg_queue_seconds',
  'asa_seconds',
]);
export const QUEUE_DRIVERS = ['offered', 'agents_active', 'aht_seconds'] as const;

export function isDoubleLoopMetric(metric: string): boolean {
  return metric === 'csat_avg' || metric === 'csat_top2_rate' || metric.startsWith('qa_');
}

export function isPerAgent(def: MetricDefinition): boolean {
  return def.unit === 'per_agent';
}

/** Drivers at the exception's own scope and id, in the given names; those without a baseline are left out. */
export function drivers(
  subject: Subject,
  names: readonly string[],
  view: DayView,
  history: HistoryIndex,
): DriverCause[] {
  const out: DriverCause[] = [];
  for (const name of names) {
    const b = history.baseline(subject.date, subject.scope, subject.id, name);
    if (!b) continue;
    const actual = view.item(subject.scope, subject.id)?.[name] ?? null;
    const change = actual === null || b.value === 0 ? null : (actual - b.value) / b.value;
    out.push({ kind: 'driver', name, actual, baseline: b.value, change, basis: b.basis });
  }
  return out;
}

/** AHT parts: the largest absolute change in seconds first (talk, hold and wrap-up analysed apart). */
export function ahtDrivers(subject: Subject, view: DayView, history: HistoryIndex): DriverCause[] {
  const seconds = (d: DriverCause) => (d.actual === null ? -1 : Math.abs(d.actual - d.baseline));
  return drivers(subject, AHT_PARTS, view, history).sort((a, b) => seconds(b) - seconds(a));
}

/** Demand, staffing and handle time behind a queue-side shortfall: the largest relative change first. */
export function queueDrivers(subject: Subject, view: DayView, history: HistoryIndex): DriverCause[] {
  const size = (d: DriverCause) => (d.change === null ? -1 : Math.abs(d.change));
  return drivers(subject, QUEUE_DRIVERS, view, history).sort((a, b) => size(b) - size(a));
}

/** The hours that concentrate the shortfall: by share of the gap until 80 % of it (at most 5). */
export function hoursCause(hourChildren: readonly Child[]): Cause | null {
  const { taken } = coverage('hour', hourChildren);
  if (taken.length === 0) return null;
  return {
    kind: 'hours',
    hours: taken.map((c) => ({ id: c.id, value: c.value, volume: c.volume, share_of_gap: c.share_of_gap })),
  };
}

const STAFFING_HOURS = 3;

/**
 * Erlang C for the worst hours (by share of the gap) that have staffing from agent states.
 * Staffing is known centre-wide only, and agents serve every queue, so the load set against it
 * is the centre's whole hour (its hour record), also for a queue's exception.
 */
export function staffingCauses(
  subject: Subject,
  hourChildren: readonly Child[],
  view: DayView,
  tif: TargetsInForce,
  params: Parameters,
): Cause[] {
  const staffed = view.breakdown?.staffed_agents_by_hour ?? {};
  const slTarget =
    subject.metric === 'service_level'
      ? subject.target
      : targetFor(tif, 'service_level', subject.scope, subject.id);
  const fraction = slTarget ? lowerBound(slTarget) : null;
  if (fraction === null) return [];
  const worst = hourChildren
    .filter((c) => c.share_of_gap > 0 && staffed[c.id] !== undefined)
    .slice(0, STAFFING_HOURS);
  const out: Cause[] = [];
  for (const c of worst) {
    const hour = view.item('hour', c.id);
    const offered = hour?.offered ?? null;
    const aht = hour?.aht_seconds ?? null;
    if (offered === null || aht === null) continue;
    out.push({
      kind: 'staffing',
      hour: c.id,
      offered,
      aht_seconds: aht,
      agents_needed: agentsNeeded({
        calls: offered,
        ahtSeconds: aht,
        targetServiceLevel: fraction,
        serviceLevelSeconds: params.service_level_seconds,
      }),
      agents_staffed: staffed[c.id] as number,
    });
  }
  return out;
}

/** The service level a target asks for; an `lte` service-level target asks for none. */
function lowerBound(t: Target): number | null {
  return 'gte' in t ? t.gte : 'between' in t ? t.between[0] : null;
}

/** The agents of an exception's scope: the centre's agents, or the agent cells of its queue or team. */
export function agentsOf(subject: Subject, view: DayView): string[] {
  return view.children(subject.scope, subject.id, 'agent').map((c) => c.id);
}

/** The p-quantile by linear interpolation between order statistics (numpy's default). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

/**
 * Double loop: agents whose QA pass rate meets its agent target (≥ 1 evaluation) while their
 * CSAT is at or below the 25th percentile of the scope's agents with responses. Agents are
 * judged on their whole day (their agent records), like their own QA target.
 */
export function doubleLoopCause(subject: Subject, view: DayView, tif: TargetsInForce): Cause | null {
  const agents = agentsOf(subject, view)
    .map((id) => ({ id, m: view.item('agent', id) }))
    .filter((a) => a.m !== undefined && (a.m.csat_responses ?? 0) > 0 && a.m.csat_avg != null);
  if (agents.length === 0) return null;
  const p25 = percentile(
    agents.map((a) => a.m?.csat_avg as number),
    0.25,
  );
  const picked: Extract<Cause, { kind: 'double_loop' }>['agents'] = [];
  for (const { id, m } of agents) {
    if (!m) continue;
    const qaTarget = targetFor(tif, 'qa_pass_rate', 'agent', id);
    const pass = m.qa_pass_rate ?? null;
    const evaluations = m.qa_evaluations ?? 0;
    const csat = m.csat_avg as number;
    if (!qaTarget || pass === null || evaluations < 1 || violatedBound(pass, qaTarget) !== null) continue;
    if (csat > p25) continue;
    picked.push({
      id,
      qa_pass_rate: pass,
      qa_evaluations: evaluations,
      csat_avg: csat,
      csat_responses: m.csat_responses ?? 0,
    });
  }
  if (picked.length === 0) return null;
  picked.sort((a, b) => a.csat_avg - b.csat_avg || (a.id < b.id ? -1 : 1));
  return { kind: 'double_loop', csat_p25: p25, agents: picked };
}

const TOP = 5;

/** FCR: the queues and the agents of the scope with the most repeat contacts. */
export function repeatContactCauses(subject: Subject, view: DayView): Cause[] {
  const out: Cause[] = [];
  const dimensions = subject.scope === 'queue' ? (['agent'] as const) : (['queue', 'agent'] as const);
  for (const dimension of dimensions) {
    const items = view
      .children(subject.scope, subject.id, dimension)
      .map((c) => ({
        id: c.id,
        repeated: c.metrics.repeated ?? 0,
        fcr_eligible: c.metrics.fcr_eligible ?? 0,
        fcr_rate: c.metrics.fcr_rate ?? null,
      }))
      .filter((r) => r.repeated > 0)
      .sort((a, b) => b.repeated - a.repeated || (a.id < b.id ? -1 : 1))
      .slice(0, TOP);
    if (items.length > 0) out.push({ kind: 'repeat_contacts', dimension, items });
  }
  return out;
}

/** Per-agent metrics are not additive: the agents furthest outside the violated bound instead. */
export function perAgentCauses(subject: Subject, def: MetricDefinition, view: DayView): Cause[] {
  const below = subject.actual < subject.bound;
  const out: Array<Extract<Cause, { kind: 'agent' }>> = [];
  for (const id of agentsOf(subject, view)) {
    const m = view.item('agent', id);
    const value = m?.[subject.metric] ?? null;
    if (value === null) continue;
    const distance = below ? subject.bound - value : value - subject.bound;
    if (distance > 0) out.push({ kind: 'agent', id, value, volume: m?.[def.volume] ?? 0, distance });
  }
  return out.sort((a, b) => b.distance - a.distance || (a.id < b.id ? -1 : 1)).slice(0, TOP);
}
