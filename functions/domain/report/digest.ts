/**
 * The manager's morning digest (exceptions.md §4): subject, HTML and plain-text parts for one
 * recipient and centre-day, plus the fingerprint a restatement is judged by. Pure: the charts
 * are rendered elsewhere and referenced here by content id.
 *
 * Ids come from export files, so every piece of text is escaped in HTML and stripped of
 * control characters in both parts. Nothing here carries phone numbers or survey comments: the
 * exception model has neither.
 */
import type { Cause, ExceptionScope, KpiException, RecoveredMetric, Verdict } from '../exceptions/model.js';
import { metricDefinition } from '../kpi/catalog.js';
import {
  formatChange,
  formatHour,
  formatScope,
  formatSegment,
  formatShare,
  formatTarget,
  formatValue,
  metricTitle,
} from './format.js';

export interface DigestInput {
  center: string;
  date: string;
  recipient: string;
  /** Non-null for a restatement: the subject starts `[Restated] ` and the top says what changed. */
  restated: { changes: string[] } | null;
  /** Already filtered to the recipient's scopes. */
  exceptions: KpiException[];
  recovered: RecoveredMetric[];
  /** Sent because the recipient opted into all_clear and there are no exceptions. */
  allClear: boolean;
  /** e.g. `/v1/centers/demo/exceptions?date=2026-11-22` */
  apiPath: string;
  /** exceptionKey(e) → content id of its inline PNG; a missing key means no chart. */
  charts: Record<string, string>;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export function exceptionKey(e: { metric: string; scope: string; id: string }): string {
  return `${e.metric}|${e.scope}|${e.id}`;
}

/** |actual − bound| / |bound| (exceptions.md §1); a zero bound makes any miss the worst. */
export function severityRatio(e: { actual: number; bound: number }): number {
  const gap = Math.abs(e.actual - e.bound);
  if (e.bound === 0) return gap === 0 ? 0 : Number.POSITIVE_INFINITY;
  return gap / Math.abs(e.bound);
}

const SCOPE_ORDER: Record<ExceptionScope, number> = { center: 0, queue: 1, team: 2 };

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Most severe first; ties by metric name, then scope (centre first) and id, so the order is stable. */
export function sortBySeverity(exceptions: readonly KpiException[]): KpiException[] {
  return [...exceptions].sort(
    (a, b) =>
      severityRatio(b) - severityRatio(a) ||
      byName(a.metric, b.metric) ||
      SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] ||
      byName(a.id, b.id),
  );
}

/** Ids and names come from files: no control character may reach a header or break a line. */
/**
 * A systemic centre exception already says "every queue/team shows it": the queue and team
 * exceptions of the same metric are the same story, so the email tells it once — under the
 * centre exception — instead of once per queue. The API still lists every exception.
 */
export function foldSystemic(sorted: readonly KpiException[]): {
  shown: KpiException[];
  alsoAt: Map<string, KpiException[]>;
} {
  const systemic = new Map<string, KpiException>();
  for (const e of sorted) if (e.scope === 'center' && e.verdict === 'systemic') systemic.set(e.metric, e);
  const alsoAt = new Map<string, KpiException[]>();
  const shown: KpiException[] = [];
  for (const e of sorted) {
    const parent = e.scope === 'center' ? undefined : systemic.get(e.metric);
    if (!parent) {
      shown.push(e);
      continue;
    }
    const key = exceptionKey(parent);
    alsoAt.set(key, [...(alsoAt.get(key) ?? []), e]);
  }
  return { shown, alsoAt };
}

function alsoAtText(folded: readonly KpiException[]): string {
  return `Also outside target: ${folded
    .map((f) => `${formatScope(f.scope, f.id)} ${formatValue(f.metric, f.actual)} (${f.severity})`)
    .join(', ')}.`;
}

function alsoAtSuffix(folded: readonly KpiException[] | undefined): string {
  if (!folded || folded.length === 0) return '';
  const queues = folded.filter((f) => f.scope === 'queue').length;
  const teams = folded.length - queues;
  const parts = [
    queues > 0 ? `${queues} queue${queues === 1 ? '' : 's'}` : '',
    teams > 0 ? `${teams} team${teams === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return ` + ${parts.join(' + ')}`;
}

function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/**
 * `[{center}] {date}: {n} KPI exceptions — {worst metric} {actual} vs {target}`, literally as the
 * spec writes it, including "1 KPI exceptions": one fixed form is easier to filter on in a
 * mail client than a grammatically varying one.
 */
export function digestSubject(
  input: Pick<DigestInput, 'center' | 'date' | 'restated' | 'exceptions'>,
): string {
  const prefix = input.restated ? '[Restated] ' : '';
  const head = `${prefix}[${input.center}] ${input.date}: `;
  const worst = sortBySeverity(input.exceptions)[0];
  if (!worst) return clean(`${head}no KPI exceptions`);
  const n = input.exceptions.length;
  return clean(
    `${head}${n} KPI exceptions — ${metricTitle(worst.metric)} ${formatValue(worst.metric, worst.actual)} vs ${formatTarget(worst.metric, worst.target)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Words shared by both parts

function where(e: { scope: string; id: string }): string {
  return clean(formatScope(e.scope, e.id));
}

function stateText(e: KpiException): string {
  return e.state === 'continuing' ? `day ${e.streak}` : 'new';
}

/** What a metric's volume counts, for "18 % of calls". */
function nounOf(volumeMetric: string | undefined): string {
  switch (volumeMetric) {
    case 'csat_responses':
      return 'survey responses';
    case 'qa_evaluations':
      return 'QA evaluations';
    case 'outbound_attempts':
      return 'outbound attempts';
    case 'agents_active':
    case 'outbound_agents':
      return 'agents';
    case 'staffed_seconds':
      return 'staffed time';
    default:
      return 'calls';
  }
}

function volumeNoun(metric: string): string {
  return nounOf(metricDefinition(metric)?.volume);
}

/** Volume shares are shares of the denominator (staffed time for occupancy). */
function shareNoun(metric: string): string {
  const def = metricDefinition(metric);
  return nounOf(def?.denominator ?? def?.volume);
}

/** One decimal: the quarantine threshold is 1 %, so whole percents would hide it. */
function percent1(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '–';
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

const VERDICTS: Record<Verdict, string> = {
  systemic: 'Systemic: most of the volume is outside target, not one segment of it.',
  concentrated:
    'Concentrated: one or two segments with a small share of the volume explain most of the gap — start there.',
  mixed: 'Mixed: the gap is spread over several segments; no single one explains it.',
};

const DRIVER_TITLES: Record<string, string> = {
  avg_talk_seconds: 'Talk time',
  avg_hold_seconds: 'Hold time',
  avg_acw_seconds: 'Wrap-up',
  offered: 'Calls offered',
  agents_active: 'Agents active',
  aht_seconds: 'Handle time',
};

/** Counts read better with thousands separators (18,234); everything else as formatValue. */
function driverValue(metric: string, value: number | null): string {
  const unit = metricDefinition(metric)?.unit;
  if (value !== null && Number.isFinite(value) && (unit === 'count' || unit === 'agents'))
    return count(value);
  return formatValue(metric, value);
}

const STATUS_WORDS: Record<string, string> = {
  breached: 'breached',
  met: 'on target',
  insufficient_data: 'too few to judge',
  not_applicable: 'no data',
};

/** One readable line per cause (with sub-points where a cause lists several things). */
interface CauseLine {
  text: string;
  items: string[];
  warning: boolean;
}

function causeLines(e: KpiException): CauseLine[] {
  const m = e.metric;
  // Data problems first, whatever order they arrived in (exceptions.md §2.4).
  const causes = [
    ...e.causes.filter((c) => c.kind === 'data_quality'),
    ...e.causes.filter((c) => c.kind !== 'data_quality'),
  ];
  const lines: CauseLine[] = [];
  const agents = causes.filter((c): c is Extract<Cause, { kind: 'agent' }> => c.kind === 'agent');
  let agentsListed = false;
  // When the segments already are hours, the "worst hours" cause would say the same thing again.
  const hourSegments = causes.some((c) => c.kind === 'segment' && c.dimension === 'hour');
  for (const c of causes) {
    if (c.kind === 'hours' && hourSegments) continue;
    switch (c.kind) {
      case 'data_quality': {
        const items =
          c.findings.length > 0
            ? c.findings.map(clean)
            : [
                ...c.rejected_objects.map((o) => `${clean(o.key)} was rejected: ${clean(o.reason)}`),
                ...c.quarantine_heavy_objects.map(
                  (o) =>
                    `${clean(o.key)}: ${percent1(o.rows_quarantined, o.rows_read)} of rows quarantined (${count(o.rows_quarantined)} of ${count(o.rows_read)})`,
                ),
                ...c.missing_hours.map(
                  (h) =>
                    `${formatHour(clean(h.id))}: no calls in the export, usually about ${count(h.baseline_offered)} offered`,
                ),
              ];
        lines.push({
          text: 'Check the data first: the export for this day looks incomplete, so this figure may be wrong.',
          items,
          warning: true,
        });
        break;
      }
      case 'segment': {
        const value = c.value === null ? '' : `${formatValue(m, c.value)}, `;
        lines.push({
          text: `${clean(formatSegment(c.dimension, c.id))} — ${value}${formatShare(c.volume_share)} of ${shareNoun(m)}, ${formatShare(c.share_of_gap)} of the gap (${STATUS_WORDS[c.status] ?? c.status})`,
          items: [],
          warning: false,
        });
        break;
      }
      case 'driver': {
        const title = DRIVER_TITLES[c.name] ?? metricTitle(c.name);
        lines.push({
          text: `${title} ${driverValue(c.name, c.actual)} vs ${driverValue(c.name, c.baseline)} usual (${formatChange(c.change)})`,
          items: [],
          warning: false,
        });
        break;
      }
      case 'hours':
        lines.push({
          text: `Worst hours: ${c.hours
            .map(
              (h) =>
                `${formatHour(clean(h.id))} (${formatValue(m, h.value)}, ${formatShare(h.share_of_gap)} of the gap)`,
            )
            .join(', ')}`,
          items: [],
          warning: false,
        });
        break;
      case 'staffing': {
        const load = `${count(c.offered)} calls, AHT ${formatValue('aht_seconds', c.aht_seconds)}`;
        lines.push({
          text:
            c.agents_needed === null
              ? `${formatHour(clean(c.hour))}: ${count(c.agents_staffed)} agents staffed; the agents needed for the target could not be estimated (${load})`
              : `${formatHour(clean(c.hour))}: needed ${count(c.agents_needed)} agents for the target, ${count(c.agents_staffed)} staffed (${load})`,
          items: [],
          warning: false,
        });
        break;
      }
      case 'agent':
        // Per-agent metrics list several agents; one line reads better than one per agent.
        if (agentsListed) break;
        agentsListed = true;
        lines.push({
          text: `Agents furthest outside the target: ${agents.map((a) => `${clean(a.id)} (${formatValue(m, a.value)})`).join(', ')}`,
          items: [],
          warning: false,
        });
        break;
      case 'double_loop':
        lines.push({
          text:
            c.agents.length === 0
              ? 'Double loop: no agent passes QA while scoring low with customers.'
              : `Double loop — QA says fine, customers do not (CSAT at or below ${formatValue('csat_avg', c.csat_p25)}, the scope's bottom quarter):`,
          items: c.agents.map(
            (a) =>
              `agent ${clean(a.id)}: QA pass ${formatValue('qa_pass_rate', a.qa_pass_rate)} of ${count(a.qa_evaluations)} evaluations, CSAT ${formatValue('csat_avg', a.csat_avg)} from ${count(a.csat_responses)} responses`,
          ),
          warning: false,
        });
        break;
      case 'repeat_contacts':
        lines.push({
          text: `Most repeat contacts by ${c.dimension}:`,
          items: c.items.map(
            (i) =>
              `${clean(formatSegment(c.dimension, i.id))}: ${count(i.repeated)} repeats of ${count(i.fcr_eligible)} calls (FCR ${formatValue('fcr_rate', i.fcr_rate)})`,
          ),
          warning: false,
        });
        break;
    }
  }
  return lines;
}

function recoveredText(r: RecoveredMetric): string {
  const days = r.previous_streak === 1 ? '1 day' : `${r.previous_streak} days`;
  return `${metricTitle(r.metric)} at ${where(r)}: ${formatValue(r.metric, r.actual)} (target ${formatTarget(r.metric, r.target)}), back on target after ${days}`;
}

function headline(e: KpiException): string {
  return `${formatValue(e.metric, e.actual)} vs target ${formatTarget(e.metric, e.target)} on ${count(e.volume)} ${volumeNoun(e.metric)}`;
}

function chartAlt(e: KpiException): string {
  return `14-day trend of ${metricTitle(e.metric)} at ${where(e)} against target`;
}

function noExceptionSentence(input: DigestInput): string {
  if (input.restated) return 'Late data cleared the exceptions reported earlier: none remain in your scope.';
  return `No KPI exceptions in your scope for ${clean(input.date)}.`;
}

function restatedIntro(date: string): string {
  return `This replaces the report sent earlier for ${clean(date)}: late data changed it.`;
}

// ---------------------------------------------------------------------------------------------
// Plain text

function renderText(input: DigestInput, subject: string, sorted: KpiException[]): string {
  const { shown, alsoAt } = foldSystemic(sorted);
  const out: string[] = [subject, ''];
  if (input.restated) {
    out.push(`RESTATED. ${restatedIntro(input.date)}`);
    const changes = input.restated.changes.map(clean);
    out.push(...(changes.length > 0 ? changes.map((c) => `- ${c}`) : ['- The figures were recomputed.']), '');
  }
  if (sorted.length === 0) {
    out.push(noExceptionSentence(input));
    if (input.allClear) out.push('You receive this because you asked for all-clear emails.');
    out.push('');
  } else {
    out.push('Exceptions, most severe first:');
    shown.forEach((e, i) => {
      out.push(
        `${i + 1}. ${metricTitle(e.metric)} — ${where(e)}${alsoAtSuffix(alsoAt.get(exceptionKey(e)))}: ${formatValue(e.metric, e.actual)} vs ${formatTarget(e.metric, e.target)} — ${e.severity}, ${stateText(e)}${e.suspect_data ? ' — check the data' : ''}`,
      );
    });
    out.push('');
  }
  if (input.recovered.length > 0) {
    out.push('Back on target:', ...input.recovered.map((r) => `- ${recoveredText(r)}`), '');
  }
  shown.forEach((e, i) => {
    const folded = alsoAt.get(exceptionKey(e));
    out.push('-'.repeat(60), `${i + 1}. ${metricTitle(e.metric)} — ${where(e)}`);
    out.push(
      `${e.severity}, ${e.state === 'continuing' ? `continuing, day ${e.streak}` : 'new'}. ${headline(e)}.`,
    );
    if (e.summary) out.push(clean(e.summary));
    if (e.verdict) out.push(VERDICTS[e.verdict]);
    if (folded && folded.length > 0) out.push(alsoAtText(folded));
    const lines = causeLines(e);
    if (lines.length > 0) {
      out.push('Why:');
      for (const l of lines) {
        out.push(`- ${l.warning ? 'WARNING: ' : ''}${l.text}`, ...l.items.map((it) => `    - ${it}`));
      }
    }
    if (input.charts[exceptionKey(e)]) out.push('Trend chart: in the HTML version of this email.');
    out.push(`Full drill-down: ${clean(input.apiPath)}`, '');
  });
  if (sorted.length === 0) out.push(`Details: ${clean(input.apiPath)}`, '');
  out.push('-'.repeat(60), footer(input));
  return `${out.join('\n')}\n`;
}

function footer(input: DigestInput): string {
  return `Sent to ${clean(input.recipient)} for ${formatScope('center', clean(input.center))}, ${clean(input.date)}. Numbers are rounded for reading; the API returns them unrounded.`;
}

// ---------------------------------------------------------------------------------------------
// HTML: tables and inline styles only, because mail clients strip <style> and ignore most CSS.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** Escaped and control-free: every dynamic string passes through here. */
const h = (s: string) => escapeHtml(clean(s));

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const INK = '#1f2933';
const MUTED = '#5f6b7a';
const RULE = '#e3e7ec';
const LINK = '#1f5fa8';

const SEVERITY_STYLE: Record<KpiException['severity'], { fg: string; bg: string }> = {
  critical: { fg: '#ffffff', bg: '#b3261e' },
  major: { fg: '#5c2c00', bg: '#ffc680' },
  minor: { fg: '#4a4000', bg: '#f4e38c' },
};

function badge(severity: KpiException['severity']): string {
  // Stored evaluations are read back untyped at runtime; an unknown grade still renders.
  const s = SEVERITY_STYLE[severity] ?? SEVERITY_STYLE.minor;
  return `<span style="display:inline-block;padding:1px 7px;border-radius:3px;background:${s.bg};color:${s.fg};font-size:12px;font-weight:700;letter-spacing:0.02em;white-space:nowrap">${h(severity)}</span>`;
}

const P = `margin:0 0 10px 0;font-size:15px;line-height:1.5;color:${INK}`;
const SMALL = `font-size:13px;line-height:1.4;color:${MUTED}`;
const H2 = `margin:0 0 6px 0;font-size:19px;line-height:1.3;color:${INK};font-weight:700`;
const H3 = `margin:0 0 8px 0;font-size:15px;line-height:1.3;color:${MUTED};font-weight:700;text-transform:uppercase;letter-spacing:0.04em`;
const LIST = 'margin:0 0 12px 0;padding:0 0 0 20px';
const LI = `margin:0 0 6px 0;font-size:15px;line-height:1.45;color:${INK}`;
const CODE = `font-family:Menlo,Consolas,monospace;font-size:13px;color:${INK};background:#f1f3f5;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere`;

/** Keeps a date or figure on one line. The argument is already escaped. */
function nowrap(escaped: string): string {
  return `<span style="white-space:nowrap">${escaped}</span>`;
}

/** A path shows as code; a full https URL (when the API's base URL is known) is also a link. */
function apiLink(path: string): string {
  // Break opportunities after `/` and before `?` keep a long path readable on a phone.
  const broken = h(path).replace(/\//g, '/<wbr>').replace(/\?/g, '<wbr>?');
  return /^https:\/\/[^\s"'<>]+$/.test(path)
    ? `<a href="${escapeHtml(path)}" style="color:${LINK};text-decoration:underline"><span style="${CODE};color:${LINK}">${broken}</span></a>`
    : `<span style="${CODE}">${broken}</span>`;
}

/** The verdict with its one-word label in bold, the explanation in normal weight. */
function verdictHtml(v: Verdict): string {
  const [head, ...rest] = VERDICTS[v].split(': ');
  return `<strong>${h(head ?? '')}:</strong> ${h(rest.join(': '))}`;
}

function section(inner: string, extra = ''): string {
  return `<tr><td style="padding:20px 20px;border-top:1px solid ${RULE};${extra}">${inner}</td></tr>`;
}

function exceptionTable(sorted: KpiException[], alsoAt: Map<string, KpiException[]>): string {
  const th = `padding:6px 8px 6px 0;text-align:left;font-size:12px;font-weight:700;color:${MUTED};text-transform:uppercase;letter-spacing:0.04em;border-bottom:2px solid ${RULE}`;
  const td = `padding:9px 8px 9px 0;vertical-align:top;border-bottom:1px solid ${RULE};font-size:15px;line-height:1.35;color:${INK}`;
  // Three stacked columns instead of six: the table must fit a 375 px phone without scrolling.
  const rows = sorted
    .map(
      (e) =>
        `<tr>` +
        `<td style="${td};width:46%"><strong>${h(metricTitle(e.metric))}</strong><br><span style="${SMALL}">${h(formatScope(e.scope, e.id) + alsoAtSuffix(alsoAt.get(exceptionKey(e))))}</span>${e.suspect_data ? `<br><span style="font-size:13px;color:#8a4b00;font-weight:700">⚠ check the data</span>` : ''}</td>` +
        `<td style="${td};width:30%"><strong>${h(formatValue(e.metric, e.actual))}</strong><br><span style="${SMALL}">target <span style="white-space:nowrap">${h(formatTarget(e.metric, e.target))}</span></span></td>` +
        `<td style="${td};width:24%;padding-right:0">${badge(e.severity)}<br><span style="${SMALL}">${stateText(e)}</span></td>` +
        `</tr>`,
    )
    .join('');
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;table-layout:fixed;word-wrap:break-word">` +
    `<tr><th style="${th}">Metric</th><th style="${th}">Actual</th><th style="${th};padding-right:0">Severity</th></tr>` +
    `${rows}</table>`
  );
}

function causeListHtml(lines: CauseLine[]): string {
  const items = lines.map((l) => {
    const sub =
      l.items.length > 0
        ? `<ul style="margin:4px 0 0 0;padding:0 0 0 18px">${l.items.map((it) => `<li style="${LI};font-size:14px;margin-bottom:3px">${h(it)}</li>`).join('')}</ul>`
        : '';
    if (l.warning) {
      return `<li style="${LI};list-style:none;margin-left:-20px;padding:10px 12px;background:#fff4e0;border-left:4px solid #e08a00;color:#5c3900"><strong>⚠ ${h(l.text)}</strong>${sub}</li>`;
    }
    return `<li style="${LI}">${h(l.text)}${sub}</li>`;
  });
  return `<ul style="${LIST}">${items.join('')}</ul>`;
}

function exceptionSection(
  input: DigestInput,
  e: KpiException,
  i: number,
  folded: KpiException[] | undefined,
): string {
  const cid = input.charts[exceptionKey(e)];
  const lines = causeLines(e);
  const parts = [
    `<h2 style="${H2}">${i + 1}. ${h(metricTitle(e.metric))} <span style="font-weight:400;color:${MUTED}">— ${h(formatScope(e.scope, e.id))}</span></h2>`,
    `<p style="${P}">${badge(e.severity)} <span style="${SMALL}">${e.state === 'continuing' ? `continuing, day ${e.streak}` : 'new today'}</span></p>`,
    `<p style="${P}"><strong>${h(formatValue(e.metric, e.actual))}</strong> vs target ${h(formatTarget(e.metric, e.target))} <span style="${SMALL}">on ${h(count(e.volume))} ${volumeNoun(e.metric)}</span></p>`,
    e.summary ? `<p style="${P}">${h(e.summary)}</p>` : '',
    e.verdict ? `<p style="${P}">${verdictHtml(e.verdict)}</p>` : '',
    folded && folded.length > 0 ? `<p style="${P}">${h(alsoAtText(folded))}</p>` : '',
    lines.length > 0
      ? `<p style="${P};margin-bottom:6px;font-weight:700">Why</p>${causeListHtml(lines)}`
      : '',
    cid
      ? `<img src="cid:${escapeHtml(cid)}" alt="${h(chartAlt(e))}" width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0;margin:4px 0 10px 0">`
      : '',
    `<p style="margin:0;${SMALL}">Full drill-down: ${apiLink(input.apiPath)}</p>`,
  ];
  return section(parts.join(''));
}

function renderHtml(input: DigestInput, subject: string, sorted: KpiException[]): string {
  const { shown, alsoAt } = foldSystemic(sorted);
  const blocks: string[] = [];
  blocks.push(
    `<tr><td style="padding:22px 20px 14px 20px">` +
      `<p style="margin:0 0 4px 0;${SMALL}">${h(formatScope('center', input.center))} · ${h(input.date)}</p>` +
      `<h1 style="margin:0;font-size:22px;line-height:1.3;color:${INK}">${sorted.length === 0 ? 'No KPI exceptions' : `${sorted.length} KPI exception${sorted.length === 1 ? '' : 's'}`}${input.restated ? ' <span style="color:#b3261e">(restated)</span>' : ''}</h1>` +
      `</td></tr>`,
  );
  if (input.restated) {
    const changes = input.restated.changes;
    blocks.push(
      `<tr><td style="padding:0 20px 16px 20px"><div style="padding:12px 14px;background:#eef4ff;border-left:4px solid #2f5fb3">` +
        `<p style="${P}"><strong>Restated.</strong> ${h(restatedIntro(input.date))}</p>` +
        (changes.length > 0
          ? `<ul style="${LIST};margin-bottom:0">${changes.map((c) => `<li style="${LI}">${h(c)}</li>`).join('')}</ul>`
          : `<p style="${P};margin-bottom:0">The figures were recomputed.</p>`) +
        `</div></td></tr>`,
    );
  }
  if (sorted.length === 0) {
    blocks.push(
      section(
        `<p style="${P}">${h(noExceptionSentence(input)).replace(h(input.date), () => nowrap(h(input.date)))}</p>` +
          (input.allClear
            ? `<p style="margin:0;${SMALL}">You receive this because you asked for all-clear emails.</p>`
            : ''),
      ),
    );
  } else {
    blocks.push(
      section(`<h3 style="${H3}">Exceptions, most severe first</h3>${exceptionTable(shown, alsoAt)}`),
    );
  }
  if (input.recovered.length > 0) {
    blocks.push(
      section(
        `<h3 style="${H3}">Back on target</h3><ul style="${LIST};margin-bottom:0">${input.recovered
          .map((r) => `<li style="${LI}"><span style="color:#2e7d32">✓</span> ${h(recoveredText(r))}</li>`)
          .join('')}</ul>`,
      ),
    );
  }
  shown.forEach((e, i) => {
    blocks.push(exceptionSection(input, e, i, alsoAt.get(exceptionKey(e))));
  });
  if (sorted.length === 0) {
    blocks.push(section(`<p style="margin:0;${SMALL}">Details: ${apiLink(input.apiPath)}</p>`));
  }
  blocks.push(section(`<p style="margin:0;${SMALL}">${h(footer(input))}</p>`, 'background:#f8f9fb'));

  // The preheader is the grey line inbox lists show after the subject.
  const preheader = sorted[0]
    ? `${metricTitle(sorted[0].metric)} at ${where(sorted[0])}: ${clean(sorted[0].summary || headline(sorted[0]))}`
    : noExceptionSentence(input);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="x-apple-disable-message-reformatting">',
    `<title>${h(subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#eef0f3;-webkit-text-size-adjust:100%">`,
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${h(preheader)}</div>`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#eef0f3"><tr><td align="center" style="padding:16px 8px">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:680px;background:#ffffff;border-collapse:collapse;font-family:${FONT};color:${INK}">`,
    blocks.join('\n'),
    '</table>',
    '</td></tr></table>',
    '</body></html>',
    '',
  ].join('\n');
}

export function renderDigest(input: DigestInput): RenderedDigest {
  const subject = digestSubject(input);
  const sorted = sortBySeverity(input.exceptions);
  return {
    subject,
    html: renderHtml(input, subject, sorted),
    text: renderText(input, subject, sorted),
  };
}

// ---------------------------------------------------------------------------------------------
// Restatements

/** What a recipient was told about a day, to tell a later evaluation apart from it. */
export interface ReportFingerprint {
  entries: string[];
}

const RECOVERED = 'recovered:';

export function reportFingerprint(
  exceptions: readonly Pick<KpiException, 'metric' | 'scope' | 'id' | 'severity'>[],
  recovered: readonly Pick<RecoveredMetric, 'metric' | 'scope' | 'id'>[],
): ReportFingerprint {
  const entries = [
    ...exceptions.map((e) => `${exceptionKey(e)}|${e.severity}`),
    ...recovered.map((r) => `${RECOVERED}${exceptionKey(r)}`),
  ];
  return { entries: [...new Set(entries)].sort() };
}

interface Entry {
  key: string;
  metric: string;
  scope: string;
  id: string;
  severity: string;
}

/**
 * Metric, scope and severity never contain `|`, so an id that does (it comes from a file)
 * is still recovered whole: it is everything between the scope and the severity.
 */
function parseEntry(entry: string, recovered: boolean): Entry | null {
  const parts = (recovered ? entry.slice(RECOVERED.length) : entry).split('|');
  const [metric, scope] = parts;
  if (metric === undefined || scope === undefined || parts.length < (recovered ? 3 : 4)) return null;
  const id = parts.slice(2, recovered ? undefined : -1).join('|');
  const severity = recovered ? '' : (parts.at(-1) ?? '');
  return { key: `${metric}|${scope}|${id}`, metric, scope, id, severity };
}

function entries(fp: ReportFingerprint | null, recovered: boolean): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const line of fp?.entries ?? []) {
    if (line.startsWith(RECOVERED) !== recovered) continue;
    const e = parseEntry(line, recovered);
    if (e) out.set(e.key, e);
  }
  return out;
}

const label = (e: Entry) => `${metricTitle(e.metric)} at ${clean(formatScope(e.scope, e.id))}`;

/** Plain sentences for the top of a `[Restated]` email; empty when nothing a reader sees changed. */
export function describeChanges(before: ReportFingerprint | null, after: ReportFingerprint): string[] {
  const [was, now] = [entries(before, false), entries(after, false)];
  const [wasRec, nowRec] = [entries(before, true), entries(after, true)];
  const out: string[] = [];
  for (const [k, e] of now) if (!was.has(k)) out.push(`New: ${label(e)} (${e.severity})`);
  for (const [k, e] of was) if (!now.has(k)) out.push(`No longer breached: ${label(e)} (was ${e.severity})`);
  for (const [k, e] of now) {
    const old = was.get(k);
    if (old && old.severity !== e.severity) {
      out.push(`Severity changed: ${label(e)} ${old.severity} → ${e.severity}`);
    }
  }
  for (const [k, e] of nowRec) if (!wasRec.has(k)) out.push(`Now back on target: ${label(e)}`);
  for (const [k, e] of wasRec)
    if (!nowRec.has(k)) out.push(`No longer listed as back on target: ${label(e)}`);
  return out;
}
