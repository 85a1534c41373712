/**
 * The exception object (exceptions.md §3) and the evaluation around it. The API, the stored
 * evaluations and the email all share these types. Numbers are never rounded here.
 */
import type { Target, Targets } from '../config.js';

/** Scopes a target is evaluated at (exceptions.md §1). */
export type EvaluatedScope = 'center' | 'queue' | 'team' | 'agent';
export const EVALUATED_SCOPES: readonly EvaluatedScope[] = ['center', 'queue', 'team', 'agent'];
/** Scopes whose breaches are exceptions; agent breaches only appear as causes. */
export type ExceptionScope = 'center' | 'queue' | 'team';

/** A child dimension a parent's population is split by (exceptions.md §2.1). */
export type Dimension = 'queue' | 'team' | 'agent' | 'hour';
export const DIMENSION_ORDER: readonly Dimension[] = ['queue', 'team', 'agent', 'hour'];

export type EvaluationStatus = 'not_applicable' | 'insufficient_data' | 'met' | 'breached';
export type Severity = 'minor' | 'major' | 'critical';
export type ExceptionState = 'new' | 'continuing';
export type Verdict = 'systemic' | 'concentrated' | 'mixed';

/** One metric judged at one scope and id against the target in force there. */
export interface Evaluation {
  metric: string;
  scope: EvaluatedScope;
  id: string;
  actual: number | null;
  target: Target;
  /** The violated bound (for `between`, the side the value fell); null unless breached. */
  bound: number | null;
  status: EvaluationStatus;
  severity: Severity | null;
  /** The metric's volume (its denominator, exceptions.md §1); null when not applicable. */
  volume: number | null;
  min_volume: number;
}

/** One child of a split: wᵢ · (rᵢ − bound), Σ = actual − bound. */
export interface Contribution {
  id: string;
  /** rᵢ; null when Dᵢ = 0 (then the contribution is 0). */
  value: number | null;
  /** Dᵢ (staffed seconds for occupancy). */
  volume: number;
  /** wᵢ = Dᵢ / D. */
  volume_share: number;
  contribution: number;
  share_of_gap: number;
}

export type Cause =
  /** The export looks incomplete or broken: checked first (exceptions.md §2.4). */
  | {
      kind: 'data_quality';
      /** Plain sentences, e.g. "cdr/sh01/2026-11-22.csv: 3.2 % of rows quarantined". */
      findings: string[];
      rejected_objects: Array<{ key: string; reason: string }>;
      quarantine_heavy_objects: Array<{ key: string; rows_read: number; rows_quarantined: number }>;
      /** Local hours with no segment although their baseline offered is ≥ 10. */
      missing_hours: Array<{ id: string; baseline_offered: number }>;
    }
  /** A child of the most explanatory dimension (exceptions.md §2.1). */
  | {
      kind: 'segment';
      dimension: Dimension;
      id: string;
      value: number | null;
      volume_share: number;
      /** The child's own status against the parent's target with the child scope's min_volume. */
      status: EvaluationStatus;
      share_of_gap: number;
    }
  /** A driver against its baseline (exceptions.md §2.3). */
  | {
      kind: 'driver';
      name: string;
      actual: number | null;
      baseline: number;
      change: number | null;
      /** Which baseline applied: the same weekday of the previous 4 weeks, else the previous 7 days. */
      basis?: 'same_weekday' | 'previous_7_days';
    }
  /** The hours that concentrate a queue-side shortfall. */
  | {
      kind: 'hours';
      hours: Array<{ id: string; value: number | null; volume: number; share_of_gap: number }>;
    }
  /** Erlang C: agents the target needed in a bad hour against the agents staffed. */
  | {
      kind: 'staffing';
      hour: string;
      offered: number;
      aht_seconds: number;
      agents_needed: number | null;
      agents_staffed: number;
    }
  /** Per-agent metrics (not additive): the agents furthest outside the bound. */
  | { kind: 'agent'; id: string; value: number; volume: number; distance: number }
  /** Double loop: QA says fine, the customer does not. */
  | {
      kind: 'double_loop';
      csat_p25: number;
      agents: Array<{
        id: string;
        qa_pass_rate: number;
        qa_evaluations: number;
        csat_avg: number;
        csat_responses: number;
      }>;
    }
  /** FCR: where the repeat contacts are. */
  | {
      kind: 'repeat_contacts';
      dimension: 'queue' | 'agent';
      items: Array<{ id: string; repeated: number; fcr_eligible: number; fcr_rate: number | null }>;
    };

export interface KpiException {
  date: string;
  center: string;
  metric: string;
  scope: ExceptionScope;
  id: string;
  actual: number;
  target: Target;
  bound: number;
  status: 'breached';
  severity: Severity;
  state: ExceptionState;
  streak: number;
  volume: number;
  suspect_data: boolean;
  verdict: Verdict | null;
  contributions: Partial<Record<Dimension, Contribution[]>>;
  causes: Cause[];
  summary: string;
  targets_version: string;
}

/** Breached the day before, met today (exceptions.md §1). */
export interface RecoveredMetric {
  metric: string;
  scope: ExceptionScope;
  id: string;
  actual: number;
  target: Target;
  /** Yesterday's streak that ended. */
  previous_streak: number;
}

/** The targets in force for a day's evaluation, stored with it (interfaces.md §3). */
export interface TargetsInForce {
  preset: string;
  center: Targets;
  overrides: Array<{ scope: 'queue' | 'team'; id: string; targets: Targets }>;
  min_volume: Record<string, number | Record<string, number>>;
}

/** One centre-day's evaluation as stored: exceptions, recovered metrics and the targets used. */
export interface DayEvaluation {
  center: string;
  date: string;
  /** Version of the KPI day evaluated (a restated day is evaluated again). */
  kpi_version: number;
  targets_version: string;
  targets: TargetsInForce;
  evaluated_at: string;
  /** Counts of evaluations by status at each scope, for readers who want the whole picture. */
  counts: Record<EvaluatedScope, Record<EvaluationStatus, number>>;
  exceptions: KpiException[];
  recovered: RecoveredMetric[];
}
