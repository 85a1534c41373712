/**
 * Evaluation of complete centre-days (exceptions.md §1–§3) and the morning email (§4).
 *
 * A sweep (every 15 minutes in AWS, every few seconds in local mode) looks at the days whose
 * KPIs reached a version not evaluated yet (the rollup marks them), and evaluates those that
 * are complete in the centre's time zone once the centre's data has settled (no object
 * ingested for `report_settle_seconds`). A restated complete day is evaluated again; the report
 * service decides whether that is worth a `[Restated]` email. Days are evaluated oldest first,
 * so each day finds its previous day's exceptions for `state` and `streak`.
 */
import { isDayComplete, isSettled, reportDay } from '../domain/completion.js';
import {
  type CenterConfig,
  defaultCenterConfig,
  type Parameters,
  resolveParameters,
} from '../domain/config.js';
import { evaluateDay } from '../domain/exceptions/evaluate.js';
import type { DayEvaluation } from '../domain/exceptions/model.js';
import { computeDayKpisWithBreakdown } from '../domain/kpi/rollup.js';
import { addDays } from '../domain/time.js';
import { CuratedDayReader } from './day-input.js';
import type { CenterStore, CuratedStore, ExceptionStore, KpiStore, LedgerStore } from './ports.js';
import type { ReportOutcome, ReportService } from './report-service.js';

/** Baselines look back four weeks (exceptions.md §2.3). */
const HISTORY_DAYS = 28;

export interface EvaluateServiceDeps {
  centers: CenterStore;
  kpis: KpiStore;
  ledger: LedgerStore;
  curated: CuratedStore;
  exceptions: ExceptionStore;
  reports: ReportService;
  localMode?: boolean;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface EvaluatedDay {
  center: string;
  date: string;
  kpi_version: number;
  exceptions: number;
  recovered: number;
  emails: ReportOutcome[];
}

export interface SweepResult {
  evaluated: EvaluatedDay[];
  /** Centres with days waiting, and why they wait. */
  waiting: Array<{ center: string; date: string; reason: 'not-complete' | 'not-settled' }>;
}

export class EvaluateService {
  private readonly now: () => Date;
  private readonly reader: CuratedDayReader;

  constructor(private readonly deps: EvaluateServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.reader = new CuratedDayReader(deps.curated);
  }

  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { evaluated: [], waiting: [] };
    for (const summary of await this.deps.centers.listCenters()) {
      const pending = await this.deps.centers.listPendingEvaluations(summary.center);
      if (pending.length === 0) continue;
      const centre = await this.configOf(summary.center);
      const { params } = centre;
      const now = this.now().getTime();
      const settled = isSettled(summary.last_ingest_at, now, params.report_settle_seconds);
      for (const p of pending) {
        if (!isDayComplete(p.date, now, params.timezone, params.completion_grace_minutes)) {
          result.waiting.push({ center: p.center, date: p.date, reason: 'not-complete' });
        } else if (!settled) {
          result.waiting.push({ center: p.center, date: p.date, reason: 'not-settled' });
        } else {
          const day = await this.evaluate(p.center, p.date, centre);
          if (day) result.evaluated.push(day);
        }
      }
    }
    return result;
  }

  private async configOf(center: string): Promise<{ config: CenterConfig; params: Parameters }> {
    const config = (await this.deps.centers.getConfig(center))?.config ?? defaultCenterConfig();
    return { config, params: resolveParameters(config, { localMode: this.deps.localMode }) };
  }

  /** Evaluate one centre-day's current KPI version, store it, and report it. */
  async evaluate(
    center: string,
    date: string,
    centre?: { config: CenterConfig; params: Parameters },
  ): Promise<EvaluatedDay | null> {
    const header = await this.deps.kpis.getHeader(center, date);
    if (!header) return null;
    const { config, params } = centre ?? (await this.configOf(center));

    const historyDates = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(date, i - HISTORY_DAYS));
    const [items, input, previous, ledger, history] = await Promise.all([
      this.deps.kpis.getItems(center, date),
      this.reader.load(center, date, params),
      this.deps.exceptions.getDay(center, addDays(date, -1)),
      this.deps.ledger.forDay(center, date),
      Promise.all(
        historyDates.map(async (d) => ({
          date: d,
          items: (await this.deps.kpis.getItems(center, d)).filter((i) => i.scope !== 'agent'),
        })),
      ),
    ]);
    const { breakdown } = computeDayKpisWithBreakdown(input);
    const evaluation: DayEvaluation = evaluateDay({
      center,
      date,
      config,
      params,
      kpiVersion: header.version,
      evaluatedAt: this.now().toISOString(),
      items,
      breakdown,
      previous,
      history: history.filter((h) => h.items.length > 0),
      // A corrected file's old version no longer feeds the day: its problems are not the day's.
      ledger: ledger.filter((e) => e.status !== 'superseded'),
    });
    await this.deps.exceptions.putDay(evaluation);

    const isReportDay =
      date === reportDay(this.now().getTime(), params.timezone, params.completion_grace_minutes);
    const emails = await this.deps.reports.report(config, evaluation, isReportDay);
    await this.deps.centers.clearEvaluationPending(center, date, header.version);
    this.deps.log?.('day evaluated', {
      center,
      date,
      kpi_version: header.version,
      exceptions: evaluation.exceptions.length,
      emails: emails.filter((e) => e.action === 'sent' || e.action === 'restated').length,
    });
    return {
      center,
      date,
      kpi_version: header.version,
      exceptions: evaluation.exceptions.length,
      recovered: evaluation.recovered.length,
      emails,
    };
  }
}
