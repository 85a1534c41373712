/** Small builders for evaluation inputs: every field defaulted, tests state only what matters. */
import { CenterConfigSchema, resolveParameters } from '../../functions/domain/config.js';
import type { Child, JudgedChild } from '../../functions/domain/exceptions/contributions.js';
import type { DayItem, EvaluateDayInput, HistoryDay } from '../../functions/domain/exceptions/evaluate.js';
import type {
  DayEvaluation,
  Dimension,
  EvaluationStatus,
  KpiException,
} from '../../functions/domain/exceptions/model.js';
import type { BreakdownCell, ParentScope } from '../../functions/domain/kpi/breakdown.js';
import type { Scope } from '../../functions/domain/kpi/catalog.js';

/** A Tuesday. */
export const DATE = '2026-03-10';
export const CENTER = 'c1';

type Metrics = Record<string, number | null>;

export function config(doc: Record<string, unknown> = {}) {
  return CenterConfigSchema.parse({ timezone: 'Asia/Shanghai', ...doc });
}

export function item(scope: Scope, id: string, metrics: Metrics): DayItem {
  return { scope, id, metrics };
}

export function cell(
  parent_scope: ParentScope,
  parent_id: string,
  dimension: Dimension,
  id: string,
  metrics: Metrics,
): BreakdownCell {
  return { parent_scope, parent_id, dimension, id, metrics };
}

/** An evaluation input; `doc` is the centre configuration document. */
export function dayInput(
  partial: Partial<Omit<EvaluateDayInput, 'config' | 'params'>> = {},
  doc: Record<string, unknown> = {},
): EvaluateDayInput {
  const cfg = config(doc);
  return {
    center: CENTER,
    date: DATE,
    config: cfg,
    params: resolveParameters(cfg),
    kpiVersion: 1,
    evaluatedAt: '2026-03-11T01:00:00.000Z',
    items: [],
    breakdown: null,
    previous: null,
    history: [],
    ledger: [],
    ...partial,
  };
}

export function historyDay(date: string, items: DayItem[]): HistoryDay {
  return { date, items };
}

/** A stored evaluation of `date` holding just these exceptions. */
export function previousDay(date: string, exceptions: Array<Partial<KpiException>>): DayEvaluation {
  return {
    center: CENTER,
    date,
    kpi_version: 1,
    targets_version: 'x',
    targets: { preset: 'recommended', center: {}, overrides: [], min_volume: {} },
    evaluated_at: `${date}T23:00:00.000Z`,
    counts: {} as DayEvaluation['counts'],
    exceptions: exceptions.map((x) => ({
      date,
      center: CENTER,
      metric: 'service_level',
      scope: 'center',
      id: CENTER,
      actual: 0.5,
      target: { gte: 0.95 },
      bound: 0.95,
      status: 'breached',
      severity: 'critical',
      state: 'new',
      streak: 1,
      volume: 100,
      suspect_data: false,
      verdict: null,
      contributions: {},
      causes: [],
      summary: '',
      targets_version: 'x',
      ...x,
    })),
    recovered: [],
  };
}

/** A child as the verdict and coverage rules see it. */
export function child(
  id: string,
  share_of_gap: number,
  volume_share = 0.1,
  status: EvaluationStatus = 'breached',
): JudgedChild & Child {
  return {
    id,
    value: 0,
    volume: volume_share * 1000,
    volume_share,
    contribution: share_of_gap,
    share_of_gap,
    count_volume: volume_share * 1000,
    status,
  };
}
