/**
 * The one- or two-sentence summary a manager reads first (exceptions.md §2): what broke, whether
 * it is everywhere or in one place, and the most telling cause. Suspect data is said up front.
 */
import type { Target } from '../config.js';
import { metricDefinition } from '../kpi/catalog.js';
import {
  formatChange,
  formatHour,
  formatShare,
  formatTarget,
  formatValue,
  metricTitle,
} from '../report/format.js';
import { type JudgedChild, RESIDUAL_ID, type VerdictResult } from './contributions.js';
import { weekdayName } from './day-view.js';
import type { Cause, Dimension } from './model.js';

export interface Within {
  dimension: Dimension;
  id: string;
  agents: string[];
  share_of_gap: number;
}

export interface SummaryInput {
  metric: string;
  date: string;
  actual: number;
  target: Target;
  bound: number;
  verdict: VerdictResult | null;
  /** The dimension the verdict was taken on, with all its children. */
  breadth: { dimension: Dimension; children: readonly JudgedChild[] } | null;
  /** The agents inside the one child a concentrated gap sits in. */
  within: Within | null;
  /** Every cause, data quality and segments included, in order. */
  causes: readonly Cause[];
}

const PLURAL: Record<Dimension, string> = { queue: 'queues', team: 'teams', agent: 'agents', hour: 'hours' };

/** Where to look when every child shows the gap, by the dimension that showed it (exceptions.md §2.2). */
const SYSTEMIC_ADVICE: Record<Dimension, string> = {
  queue: 'look at demand, targets or a new business line, not at individual agents',
  team: 'look at demand, targets or a new business line, not at individual agents',
  agent: 'a team-wide cause (a process, tool or call-mix change), not individual agents',
  hour: 'the whole day, not one peak: look at the day’s demand and staffing',
};
const RESIDUAL_LABEL: Record<Dimension, string> = {
  queue: 'contacts without a queue',
  team: 'contacts without a team',
  agent: 'contacts without an agent',
  hour: 'contacts without an hour',
};
/** What a metric's denominator counts, for "(18 % of calls)". */
const NOUN: Record<string, string> = {
  offered: 'calls',
  answered: 'calls',
  handled: 'calls',
  fcr_eligible: 'calls',
  csat_responses: 'survey responses',
  qa_evaluations: 'QA evaluations',
  outbound_attempts: 'attempts',
  staffed_seconds: 'staffed time',
};

export function summarize(s: SummaryInput): string {
  const sentences: string[] = [];
  const dq = s.causes.find((c) => c.kind === 'data_quality');
  if (dq) sentences.push(dataQualitySentence(dq.findings));
  sentences.push(
    `${metricTitle(s.metric)} ${formatValue(s.metric, s.actual)} (target ${formatTarget(s.metric, s.target)}).`,
  );

  const parts: string[] = [];
  const where = verdictPhrase(s);
  if (where) parts.push(where);
  const agents = s.causes.filter((c) => c.kind === 'agent');
  const repeats = s.causes.filter((c) => c.kind === 'repeat_contacts');
  const why = [
    ...s.causes.flatMap((c) => causePhrase(c, s)),
    ...(agents.length > 0 ? [agentsPhrase(agents, s)] : []),
    ...(repeats.length > 0 ? [repeatsPhrase(repeats)] : []),
  ].slice(0, where ? 1 : 2);
  parts.push(...why);
  if (parts.length > 0) sentences.push(`${capitalize(parts.join('; '))}.`);
  return sentences.join(' ');
}

function dataQualitySentence(findings: readonly string[]): string {
  const more =
    findings.length > 1 ? ` and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''}` : '';
  return `The data looks incomplete (${findings[0]}${more}) — check the export before acting on this.`;
}

function verdictPhrase(s: SummaryInput): string | null {
  const def = metricDefinition(s.metric);
  const noun = NOUN[def?.denominator ?? def?.volume ?? ''] ?? 'volume';
  const segments = s.causes.filter((c) => c.kind === 'segment');
  const topSegments = segments.slice(0, 2).map((c) => ({
    dimension: c.dimension,
    id: c.id,
    volume_share: c.volume_share,
    share_of_gap: c.share_of_gap,
  }));
  if (s.verdict?.verdict === 'systemic' && s.breadth) {
    const named = s.breadth.children.filter((c) => c.id !== RESIDUAL_ID);
    const breached = s.verdict.breached.filter((c) => c.id !== RESIDUAL_ID);
    return `Systemic: ${breached.length} of ${named.length} ${PLURAL[s.breadth.dimension]} ${side(s)} target — ${SYSTEMIC_ADVICE[s.breadth.dimension]}`;
  }
  if (s.verdict?.verdict === 'concentrated' && s.breadth) {
    const dimension = s.breadth.dimension;
    const where = `Concentrated: ${explains(
      s.verdict.concentrated_in.map((c) => ({ dimension, ...c })),
      noun,
    )}`;
    if (!s.within) return where;
    const w = s.within;
    const verb = w.agents.length > 1 ? 'explain' : 'explains';
    return `${where}; ${w.agents.length > 1 ? 'agents' : 'agent'} ${w.agents.join(' and ')} ${verb} ${formatShare(
      w.share_of_gap,
    )} of ${w.dimension} ${w.id}'s`;
  }
  if (s.verdict?.verdict === 'mixed')
    return topSegments.length > 0
      ? `Mixed: ${explains(topSegments, noun)}`
      : 'Mixed: no single segment stands out';
  return topSegments.length > 0 ? explains(topSegments, noun) : null;
}

interface Named {
  dimension: Dimension;
  id: string;
  volume_share: number;
  share_of_gap: number;
}

function explains(children: readonly Named[], noun: string): string {
  const who = children.map((c) => `${label(c.dimension, c.id)} (${formatShare(c.volume_share)} of ${noun})`);
  const share = children.reduce((t, c) => t + c.share_of_gap, 0);
  return `${who.join(' and ')} ${who.length > 1 ? 'explain' : 'explains'} ${formatShare(share)} of the gap`;
}

function label(dimension: Dimension, id: string): string {
  if (id === RESIDUAL_ID) return RESIDUAL_LABEL[dimension];
  return dimension === 'hour' ? `hour ${formatHour(id)}` : `${dimension} ${id}`;
}

function side(s: SummaryInput): string {
  if ('between' in s.target) return 'outside';
  return s.actual < s.bound ? 'below' : 'above';
}

/** A cause in a few words; segments and data quality are said elsewhere. */
function causePhrase(c: Cause, s: SummaryInput): string[] {
  switch (c.kind) {
    case 'driver': {
      if (c.actual === null) return [];
      const name = lowerFirst(metricTitle(c.name));
      const basis =
        c.basis === 'same_weekday'
          ? `on the usual ${weekdayName(s.date)}`
          : c.basis === 'previous_7_days'
            ? 'against the previous 7 days'
            : 'against the usual';
      if (metricDefinition(c.name)?.unit === 'seconds')
        return [`${name} ${formatValue(c.name, c.actual)} vs ${formatValue(c.name, c.baseline)} ${basis}`];
      return c.change === null ? [] : [`${name} ${formatChange(c.change)} ${basis}`];
    }
    case 'staffing':
      return c.agents_needed !== null && c.agents_needed > c.agents_staffed
        ? [
            `${formatHour(c.hour)} needed about ${c.agents_needed} agents for the target but had ${
              Math.round(c.agents_staffed * 10) / 10
            } staffed`,
          ]
        : [];
    case 'hours':
      // Already named when the hours are the segments.
      return s.causes.some((x) => x.kind === 'segment' && x.dimension === 'hour')
        ? []
        : [
            `worst hours ${c.hours
              .slice(0, 2)
              .map((h) => formatHour(h.id))
              .join(' and ')}`,
          ];
    case 'double_loop':
      return [
        `${c.agents.length} agent${c.agents.length > 1 ? 's pass' : ' passes'} QA but ${c.agents.length > 1 ? 'sit' : 'sits'} in the bottom quarter for CSAT (${c.agents
          .slice(0, 3)
          .map((a) => a.id)
          .join(', ')})`,
      ];
    default:
      return [];
  }
}

function agentsPhrase(agents: ReadonlyArray<Extract<Cause, { kind: 'agent' }>>, s: SummaryInput): string {
  const who = agents.slice(0, 3).map((a) => `${a.id} (${formatValue(s.metric, a.value)})`);
  return `furthest out: agent${agents.length > 1 ? 's' : ''} ${who.join(', ')}`;
}

function repeatsPhrase(causes: ReadonlyArray<Extract<Cause, { kind: 'repeat_contacts' }>>): string {
  const where = causes.map(
    (c) =>
      `${c.dimension === 'queue' ? 'queues' : 'agents'} ${c.items
        .slice(0, 2)
        .map((i) => `${i.id} (${i.repeated})`)
        .join(', ')}`,
  );
  return `most repeat contacts in ${where.join(' and with ')}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
