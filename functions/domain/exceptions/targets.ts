/**
 * The targets in force for a centre-day (exceptions.md §1, interfaces.md §3) and the judgement
 * of one value against one target. The resolved targets are stored with each evaluation, so
 * everything here reads them, never the live configuration.
 */
import { createHash } from 'node:crypto';
import type { CenterConfig, Parameters, Target } from '../config.js';
import { PRESETS } from '../config.js';
import type { Scope } from '../kpi/catalog.js';
import type { EvaluatedScope, EvaluationStatus, Severity, TargetsInForce } from './model.js';

/** Preset merged with the centre's own targets (a centre target replaces the preset's), plus overrides. */
export function targetsInForce(config: CenterConfig, params: Parameters): TargetsInForce {
  const mv = params.min_volume;
  return {
    preset: config.preset,
    center: { ...PRESETS[config.preset], ...config.targets },
    overrides: config.overrides
      .map((o) => ({ scope: o.scope, id: o.id, targets: { ...o.targets } }))
      .sort((a, b) => compare(a.scope, b.scope) || compare(a.id, b.id)),
    min_volume: {
      center: mv.center,
      queue: mv.queue,
      team: mv.team,
      agent: mv.agent,
      hour: mv.hour,
      metrics: { ...mv.metrics },
    },
  };
}

/**
 * Override for that scope and id > centre target (which already holds the preset's). Agents
 * have no overrides of their own, so an agent is judged by the centre target.
 */
export function targetFor(
  tif: TargetsInForce,
  metric: string,
  scope: EvaluatedScope,
  id: string,
): Target | undefined {
  if (scope === 'queue' || scope === 'team') {
    for (const o of tif.overrides) {
      const t = o.scope === scope && o.id === id ? o.targets[metric] : undefined;
      if (t) return t;
    }
  }
  return tif.center[metric];
}

/** Every metric that has a target somewhere (centre, preset or an override), sorted. */
export function targetedMetrics(tif: TargetsInForce): string[] {
  const names = new Set(Object.keys(tif.center));
  for (const o of tif.overrides) for (const m of Object.keys(o.targets)) names.add(m);
  return [...names].sort();
}

/** Short stable hash of the targets in force: key order and override order do not change it. */
export function targetsVersion(tif: TargetsInForce): string {
  return createHash('sha256').update(canonicalJson(tif)).digest('hex').slice(0, 12);
}

/** The per-metric min_volume override applies at every scope; else the scope's default. */
export function minVolumeFor(tif: TargetsInForce, metric: string, scope: Scope): number {
  const perMetric = tif.min_volume.metrics;
  const m = typeof perMetric === 'object' ? perMetric[metric] : undefined;
  if (m !== undefined) return m;
  const s = tif.min_volume[scope];
  return typeof s === 'number' ? s : 0;
}

export interface Judgement {
  status: EvaluationStatus;
  bound: number | null;
  severity: Severity | null;
}

/** Status in the order of exceptions.md §1: not applicable, insufficient volume, met or breached. */
export function judge(
  value: number | null | undefined,
  volume: number | null | undefined,
  minVolume: number,
  target: Target,
): Judgement {
  if (value === null || value === undefined || !Number.isFinite(value))
    return { status: 'not_applicable', bound: null, severity: null };
  if ((volume ?? 0) < minVolume) return { status: 'insufficient_data', bound: null, severity: null };
  const bound = violatedBound(value, target);
  if (bound === null) return { status: 'met', bound: null, severity: null };
  return { status: 'breached', bound, severity: severityOf(value, bound) };
}

/** The bound the value falls outside of (inclusive operators), or null when it meets the target. */
export function violatedBound(value: number, target: Target): number | null {
  if ('gte' in target) return value >= target.gte ? null : target.gte;
  if ('lte' in target) return value <= target.lte ? null : target.lte;
  const [lo, hi] = target.between;
  if (value < lo) return lo;
  if (value > hi) return hi;
  return null;
}

/**
 * |actual − bound| / |bound|. A zero bound (e.g. qa_fatal_errors ≤ 0) makes any breach
 * infinitely far in relative terms, so it is critical.
 */
export function severityOf(actual: number, bound: number): Severity {
  if (bound === 0) return 'critical';
  const ratio = Math.abs(actual - bound) / Math.abs(bound);
  return ratio < 0.05 ? 'minor' : ratio < 0.15 ? 'major' : 'critical';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compare(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
