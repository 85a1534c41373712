/**
 * Look-ups over one centre-day's KPI records, its breakdown and its history, built once per
 * evaluation so the drill-down of every exception reads maps, not arrays.
 */
import type { BreakdownCell, DayBreakdown, ParentScope } from '../kpi/breakdown.js';
import type { Scope } from '../kpi/catalog.js';
import { addDays, weekday } from '../time.js';
import type { Dimension } from './model.js';

export interface DayItem {
  scope: Scope;
  id: string;
  metrics: Record<string, number | null>;
}

export interface HistoryDay {
  date: string;
  items: readonly DayItem[];
}

type Metrics = Record<string, number | null>;

function indexItems(items: readonly DayItem[]): Map<Scope, Map<string, Metrics>> {
  const byScope = new Map<Scope, Map<string, Metrics>>();
  for (const item of items) {
    let m = byScope.get(item.scope);
    if (!m) {
      m = new Map();
      byScope.set(item.scope, m);
    }
    m.set(item.id, item.metrics);
  }
  return byScope;
}

export class DayView {
  private readonly byScope: Map<Scope, Map<string, Metrics>>;
  private readonly cellsByParent = new Map<string, BreakdownCell[]>();

  constructor(
    items: readonly DayItem[],
    readonly breakdown: DayBreakdown | null,
  ) {
    this.byScope = indexItems(items);
    for (const cell of breakdown?.cells ?? []) {
      const key = cellKey(cell.parent_scope, cell.parent_id, cell.dimension);
      const list = this.cellsByParent.get(key);
      if (list) list.push(cell);
      else this.cellsByParent.set(key, [cell]);
    }
  }

  item(scope: Scope, id: string): Metrics | undefined {
    return this.byScope.get(scope)?.get(id);
  }

  /** The records of a scope as [id, metrics], in id order. */
  items(scope: Scope): Array<[string, Metrics]> {
    return [...(this.byScope.get(scope) ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  cells(parentScope: ParentScope, parentId: string, dimension: Dimension): readonly BreakdownCell[] {
    return this.cellsByParent.get(cellKey(parentScope, parentId, dimension)) ?? [];
  }

  /**
   * The children of a parent on a dimension: the breakdown's cells; for the centre, whose
   * population is the whole day, the KPI records of the child scope stand in when the
   * breakdown has none (there is no centre → agent split, and there may be no breakdown).
   */
  children(
    parentScope: ParentScope,
    parentId: string,
    dimension: Dimension,
  ): Array<{ id: string; metrics: Metrics }> {
    const cells = this.cells(parentScope, parentId, dimension);
    if (cells.length > 0) return cells.map((c) => ({ id: c.id, metrics: c.metrics }));
    if (parentScope !== 'center' || dimension === 'hour') return [];
    return this.items(dimension).map(([id, metrics]) => ({ id, metrics }));
  }
}

function cellKey(scope: string, id: string, dimension: string): string {
  return `${scope}\u0000${id}\u0000${dimension}`;
}

export type BaselineBasis = 'same_weekday' | 'previous_7_days';

export interface Baseline {
  value: number;
  basis: BaselineBasis;
}

export class HistoryIndex {
  private readonly days = new Map<string, Map<Scope, Map<string, Metrics>>>();

  constructor(history: readonly HistoryDay[]) {
    for (const day of history) this.days.set(day.date, indexItems(day.items));
  }

  value(date: string, scope: Scope, id: string, metric: string): number | null {
    const v = this.days.get(date)?.get(scope)?.get(id)?.[metric];
    return v === undefined || v === null || !Number.isFinite(v) ? null : v;
  }

  /**
   * exceptions.md §2.3: mean of the non-null daily values on the same weekday of the previous
   * 4 weeks; else over the previous 7 days; else none. A day without the record is missing, not 0.
   */
  baseline(date: string, scope: Scope, id: string, metric: string): Baseline | null {
    const sameWeekday = [7, 14, 21, 28].map((n) => addDays(date, -n));
    const week = [1, 2, 3, 4, 5, 6, 7].map((n) => addDays(date, -n));
    for (const [basis, dates] of [
      ['same_weekday', sameWeekday],
      ['previous_7_days', week],
    ] as const) {
      const values = dates.map((d) => this.value(d, scope, id, metric)).filter((v) => v !== null);
      if (values.length > 0) return { value: values.reduce((s, v) => s + v, 0) / values.length, basis };
    }
    return null;
  }
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function weekdayName(date: string): string {
  return WEEKDAYS[weekday(date) - 1] ?? '';
}
