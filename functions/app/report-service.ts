/**
 * The morning email (exceptions.md §4): one digest per recipient per centre-day for the
 * exceptions inside the recipient's scopes, sent exactly once (architecture.md rule 7). Only the
 * centre's report day is emailed; an older day is emailed again only as a `[Restated]` digest
 * after it was reported, and only to recipients whose report changed.
 */
import type { CenterConfig } from '../domain/config.js';
import type { DayEvaluation, KpiException, RecoveredMetric } from '../domain/exceptions/model.js';
import {
  type DigestInput,
  describeChanges,
  exceptionKey,
  foldSystemic,
  renderDigest,
  reportFingerprint,
  sortBySeverity,
} from '../domain/report/digest.js';
import { addDays } from '../domain/time.js';
import { composeMime } from '../report/mime.js';
import type { ChartRenderer, KpiStore, Mailer, SendLedger, SendRecord } from './ports.js';

type Recipient = CenterConfig['recipients'][number];

export interface ReportServiceDeps {
  kpis: KpiStore;
  sends: SendLedger;
  mailer: Mailer;
  charts: ChartRenderer;
  /** The verified sender address; without one, digests are recorded as unsendable and logged. */
  sender: string | undefined;
  /** Base URL of the read API for the drill-down link; the path alone without it. */
  apiBaseUrl?: string;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ReportOutcome {
  recipient: string;
  action: 'sent' | 'restated' | 'nothing-to-send' | 'already-sent' | 'not-report-day';
  subject?: string;
}

function inScope(recipient: Recipient, item: { scope: string; id: string }): boolean {
  return recipient.scopes.some((s) => s.scope === 'center' || (s.scope === item.scope && s.id === item.id));
}

/** SES errors that mean the request was refused before anything was sent. */
const REFUSALS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
  'LimitExceededException',
  'TooManyRequestsException',
]);

function definitelyNotSent(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  return REFUSALS.has(err.name ?? '') || (status !== undefined && status >= 400 && status < 500);
}

const sameEntries = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class ReportService {
  private readonly now: () => Date;

  constructor(private readonly deps: ReportServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Send what each recipient of the centre should receive for an evaluated day.
   * `isReportDay`: the day is the centre's report day (its latest complete day).
   */
  async report(
    config: CenterConfig,
    evaluation: DayEvaluation,
    isReportDay: boolean,
  ): Promise<ReportOutcome[]> {
    const { center, date } = evaluation;
    const outcomes: ReportOutcome[] = [];
    const charts = new Map<string, Promise<Buffer | null>>();
    for (const recipient of config.recipients) {
      const exceptions = evaluation.exceptions.filter((e) => inScope(recipient, e));
      const recovered = evaluation.recovered.filter((r) => inScope(recipient, r));
      const fingerprint = reportFingerprint(exceptions, recovered);
      const history = await this.deps.sends.history(center, date, recipient.email);
      const last = history[history.length - 1];

      let restated: { changes: string[] } | null = null;
      if (last) {
        const stillNothing = last.status === 'nothing' && exceptions.length === 0 && !recipient.all_clear;
        if (stillNothing || sameEntries(last.fingerprint, fingerprint.entries)) {
          outcomes.push({ recipient: recipient.email, action: 'already-sent' });
          continue;
        }
        restated = { changes: describeChanges({ entries: last.fingerprint }, fingerprint) };
      } else if (!isReportDay) {
        // History (or a day reported before this recipient existed) is never emailed.
        outcomes.push({ recipient: recipient.email, action: 'not-report-day' });
        continue;
      }

      const record: SendRecord = {
        center,
        date,
        recipient: recipient.email,
        seq: last ? last.seq + 1 : 0,
        kind: restated ? 'restated' : 'original',
        fingerprint: fingerprint.entries,
        status: 'sending',
        subject: null,
        message_id: null,
        claimed_at: this.now().toISOString(),
        sent_at: null,
      };
      const allClear = exceptions.length === 0 && recovered.length === 0;
      if (!restated && exceptions.length === 0 && !recipient.all_clear) {
        // Nothing in scope: record what the recipient was told (nothing), so a later
        // restatement that adds an exception for them is recognised as a change.
        await this.deps.sends.claim({ ...record, kind: 'nothing', status: 'nothing' });
        outcomes.push({ recipient: recipient.email, action: 'nothing-to-send' });
        continue;
      }

      const raw = await this.compose(
        recipient.email,
        evaluation,
        exceptions,
        recovered,
        restated,
        allClear,
        charts,
      );
      record.subject = raw.subject;
      if (!(await this.deps.sends.claim(record))) {
        outcomes.push({ recipient: recipient.email, action: 'already-sent' });
        continue;
      }
      let messageId: string;
      try {
        messageId = await this.deps.mailer.send({
          from: this.sender(),
          to: recipient.email,
          subject: raw.subject,
          raw: raw.mime,
          name: `${date}_${center}_${recipient.email}_${record.seq}`,
        });
      } catch (e) {
        // A refusal means nothing went out: the claim is released for the retry. After a timeout
        // or a server error the message may have gone out, and SES has no idempotency token, so
        // the claim stays `sending` — never re-sent (rule 7), visible in the send ledger.
        if (definitelyNotSent(e)) await this.deps.sends.release(record);
        else
          this.deps.log?.('digest may or may not have been sent; not retried', {
            center,
            date,
            seq: record.seq,
          });
        throw e;
      }
      await this.deps.sends.markSent(record, messageId, this.now().toISOString());
      this.deps.log?.('digest sent', {
        center,
        date,
        seq: record.seq,
        kind: record.kind,
        exceptions: exceptions.length,
      });
      outcomes.push({
        recipient: recipient.email,
        action: restated ? 'restated' : 'sent',
        subject: raw.subject,
      });
    }
    return outcomes;
  }

  private sender(): string {
    if (!this.deps.sender) throw new Error('no sender address configured (SES_SENDER)');
    return this.deps.sender;
  }

  private async compose(
    to: string,
    evaluation: DayEvaluation,
    exceptions: KpiException[],
    recovered: RecoveredMetric[],
    restated: { changes: string[] } | null,
    allClear: boolean,
    charts: Map<string, Promise<Buffer | null>>,
  ): Promise<{ subject: string; mime: Buffer }> {
    const { center, date } = evaluation;
    const path = `/v1/centers/${encodeURIComponent(center)}/exceptions?date=${date}`;
    const images: Array<{ cid: string; filename: string; content: Buffer }> = [];
    const cids: Record<string, string> = {};
    // Folded exceptions (the queues of a systemic centre exception) get no section, so no chart.
    for (const [i, e] of foldSystemic(sortBySeverity(exceptions)).shown.entries()) {
      const key = exceptionKey(e);
      let png = charts.get(key);
      if (!png) {
        png = this.trendChart(e);
        charts.set(key, png);
      }
      const content = await png;
      if (!content) continue;
      const cid = `trend-${i}@kpi.local`;
      cids[key] = cid;
      images.push({ cid, filename: `trend-${e.metric}-${e.scope}-${i}.png`, content });
    }
    const input: DigestInput = {
      center,
      date,
      recipient: to,
      restated,
      exceptions,
      recovered,
      allClear,
      apiPath: this.deps.apiBaseUrl ? `${this.deps.apiBaseUrl.replace(/\/$/, '')}${path}` : path,
      charts: cids,
    };
    const digest = renderDigest(input);
    const mime = await composeMime({
      from: this.sender(),
      to,
      subject: digest.subject,
      html: digest.html,
      text: digest.text,
      images,
    });
    return { subject: digest.subject, mime };
  }

  /** The metric's last 14 days at the exception's scope against its target; null if it cannot be drawn. */
  private async trendChart(e: KpiException): Promise<Buffer | null> {
    const from = addDays(e.date, -13);
    try {
      const series = await this.deps.kpis.series(e.center, e.scope, e.id, from, e.date);
      const byDate = new Map(series.map((s) => [s.date, s.item.metrics[e.metric] ?? null]));
      const points = Array.from({ length: 14 }, (_, i) => {
        const date = addDays(from, i);
        return { date, value: byDate.get(date) ?? null };
      });
      return await this.deps.charts.trendPng({ metric: e.metric, target: e.target, points });
    } catch (error) {
      // A chart is an illustration: the digest goes out without it rather than not at all.
      this.deps.log?.('trend chart failed', {
        metric: e.metric,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  }
}
