/**
 * Recompute one centre-day's KPIs from all curated records (architecture.md rule 1: recompute,
 * don't increment). Debounced by change tokens: a burst of files marks the day changed many
 * times but the rollup runs once for the newest token it saw; a signal whose token is already
 * computed is skipped.
 */

import { createHash } from 'node:crypto';
import { defaultCenterConfig, resolveParameters } from '../domain/config.js';
import { computeDayKpis } from '../domain/kpi/rollup.js';
import { CuratedDayReader } from './day-input.js';
import type { CenterStore, CuratedStore, KpiDayHeader, KpiItem, KpiStore } from './ports.js';

export interface RollupServiceDeps {
  curated: CuratedStore;
  centers: CenterStore;
  kpis: KpiStore;
  localMode?: boolean;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type RollupOutcome =
  | { outcome: 'up-to-date'; center: string; date: string }
  | { outcome: 'no-data'; center: string; date: string }
  | {
      outcome: 'computed';
      center: string;
      date: string;
      header: KpiDayHeader;
      changed: boolean;
      items: number;
    };

/** Stable digest of a day's items, independent of their order. */
export function digestItems(items: KpiItem[]): string {
  const sorted = [...items].sort((a, b) =>
    a.scope + a.id < b.scope + b.id ? -1 : a.scope + a.id > b.scope + b.id ? 1 : 0,
  );
  const h = createHash('sha256');
  for (const i of sorted) {
    h.update(i.scope).update('\u0000').update(i.id).update('\u0000');
    for (const k of Object.keys(i.metrics).sort())
      h.update(k).update('=').update(String(i.metrics[k])).update(';');
    h.update('\n');
  }
  return h.digest('hex');
}

export class RollupService {
  private readonly now: () => Date;
  private readonly reader: CuratedDayReader;

  constructor(private readonly deps: RollupServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.reader = new CuratedDayReader(deps.curated);
  }

  /** Recompute the day unless it was already computed from its newest change. */
  async rollup(center: string, date: string, opts: { force?: boolean } = {}): Promise<RollupOutcome> {
    const state = await this.deps.centers.getDay(center, date);
    const token = state?.change_token ?? `${this.now().toISOString()}#forced`;
    if (!opts.force && state && state.computed_token !== null && state.computed_token >= state.change_token) {
      return { outcome: 'up-to-date', center, date };
    }
    const stored = await this.deps.centers.getConfig(center);
    const config = stored?.config ?? defaultCenterConfig();
    const params = resolveParameters(config, { localMode: this.deps.localMode });
    const tz = config.timezone;
    const records = computeDayKpis(await this.reader.load(center, date, params));
    const items: KpiItem[] = records.map((r) => ({ scope: r.scope, id: r.id, metrics: r.metrics }));
    if (items.length === 0 && !(await this.deps.kpis.getHeader(center, date))) {
      await this.deps.centers.markDayComputed(center, date, token);
      return { outcome: 'no-data', center, date };
    }
    const { header, changed } = await this.deps.kpis.putDay(
      {
        center,
        date,
        timezone: tz,
        computed_at: this.now().toISOString(),
        digest: digestItems(items),
        token,
      },
      items,
    );
    // A new version (first computation or a restatement) waits for evaluation once complete;
    // marked even when unchanged, so a crash between the two writes cannot lose the mark.
    await this.deps.centers.markEvaluationPending(center, date, header.version);
    await this.deps.centers.markDayComputed(center, date, token);
    this.deps.log?.('day computed', { center, date, version: header.version, changed, items: items.length });
    return { outcome: 'computed', center, date, header, changed, items: items.length };
  }
}
