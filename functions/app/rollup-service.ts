/**
 * Recompute one centre-day's KPIs from all curated records (architecture.md rule 1: recompute,
 * don't increment). Debounced by change tokens: a burst of files marks the day changed many
 * times but the rollup runs once for the newest token it saw; a signal whose token is already
 * computed is skipped.
 */

import { createHash } from 'node:crypto';
import { defaultCenterConfig, resolveParameters } from '../domain/config.js';
import { assembleQueueLog } from '../domain/formats/queue-log.js';
import { dedupeContacts, dedupeQa, dedupeRoster, dedupeSurveys, type Sourced } from '../domain/kpi/dedupe.js';
import { computeDayKpis } from '../domain/kpi/rollup.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  QueueLogEvent,
  RecordKind,
  RosterEntry,
  SurveyResponse,
} from '../domain/records.js';
import { addDays, localDayBounds } from '../domain/time.js';
import { LATE_RECORD_DAYS } from './ingest-service.js';
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

  constructor(private readonly deps: RollupServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private async readKind<T>(
    center: string,
    kind: RecordKind,
    date: string | null,
  ): Promise<Array<Sourced<T>>> {
    const out: Array<Sourced<T>> = [];
    for (const key of await this.deps.curated.list(center, kind, date)) {
      const { sourceKey, records } = await this.deps.curated.read<T>(key);
      for (const r of records) {
        const { source_line, ...record } = r;
        out.push({ record: record as T, source_key: sourceKey, line: source_line });
      }
    }
    return out;
  }

  private async readDays<T>(center: string, kind: RecordKind, dates: string[]): Promise<Array<Sourced<T>>> {
    const parts = await Promise.all(dates.map((d) => this.readKind<T>(center, kind, d)));
    return parts.flat();
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
    const next = addDays(date, 1);
    const later = Array.from({ length: LATE_RECORD_DAYS + 1 }, (_, i) => addDays(date, i));

    const [contactItems, events, surveyItems, qaItems, rosterItems, stateItems] = await Promise.all([
      this.readDays<ContactRecord>(center, 'contacts', [date, next]),
      this.readDays<QueueLogEvent>(center, 'queue_events', [addDays(date, -1), date, next]),
      this.readDays<SurveyResponse>(center, 'surveys', later),
      this.readDays<QaEvaluation>(center, 'qa', later),
      this.readKind<RosterEntry>(center, 'roster', null),
      this.readDays<AgentStateInterval>(center, 'agent_states', [date]),
    ]);

    const contacts = dedupeContacts(contactItems);
    let agentStates = stateItems.map((s) => s.record);
    if (events.length > 0) {
      const assembled = assembleQueueLog(
        events.map((e) => e.record),
        { center, timezone: tz },
      );
      const ids = new Set(contacts.map((c) => c.contact_id));
      for (const c of assembled.contacts) if (!ids.has(c.contact_id)) contacts.push(c);
      const { start, end } = localDayBounds(date, tz);
      agentStates = agentStates.concat(assembled.agentStates.filter((s) => s.start < end && s.end > start));
    }

    const records = computeDayKpis({
      center,
      date,
      params,
      contacts,
      surveys: dedupeSurveys(surveyItems),
      qa: dedupeQa(qaItems),
      roster: dedupeRoster(rosterItems),
      agentStates: agentStates.length > 0 ? agentStates : null,
    });
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
    await this.deps.centers.markDayComputed(center, date, token);
    this.deps.log?.('day computed', { center, date, version: header.version, changed, items: items.length });
    return { outcome: 'computed', center, date, header, changed, items: items.length };
  }
}
