/**
 * Breakdowns of a centre-day for the drill-down (exceptions.md §2.1): each parent's own
 * population split by a child dimension. A cell is the parent's population *restricted to the
 * child* — a queue inside the centre counts inbound segments only on the queue side, although
 * the queue's own KPI also counts transfers — so the children's numerators and denominators
 * add up to the parent's (the part with no value on the dimension is left to the reader as the
 * residual child `""`).
 */
import type { Dimension } from '../exceptions/model.js';

export type ParentScope = 'center' | 'queue' | 'team';

/** Child dimensions per parent scope (exceptions.md §2.1). */
export const CHILD_DIMENSIONS: Record<ParentScope, readonly Dimension[]> = {
  center: ['queue', 'team', 'hour'],
  queue: ['team', 'agent', 'hour'],
  team: ['agent', 'queue', 'hour'],
};

export interface BreakdownCell {
  parent_scope: ParentScope;
  parent_id: string;
  dimension: Dimension;
  /** Child id: queue name, team, agent id, or local hour `00`–`23`. */
  id: string;
  /**
   * The catalog's metrics at the parent's scope, computed by the same formulas as the KPI
   * records over the restricted population (volumes included: offered, handled, fcr_eligible,
   * staffed_seconds, …). Null where the denominator is 0.
   */
  metrics: Record<string, number | null>;
}

export interface DayBreakdown {
  cells: BreakdownCell[];
  /**
   * Average agents staffed (staffed minus break seconds in the hour / 3600), centre-wide, per
   * local hour id `00`–`23`; empty when the day has no agent-state data.
   */
  staffed_agents_by_hour: Record<string, number>;
}
