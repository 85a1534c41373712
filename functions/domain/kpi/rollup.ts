/**
 * The KPI engine: every metric of kpis.md §3 at every scope of §2 for one centre-day, as a
 * pure function of that day's (deduplicated) records — recomputed whole, never incremented
 * (architecture.md rule 1). The contacts come as columns (contact-columns.ts): one pass over
 * them adds each segment into a cell by (queue, hour) and into its agent's tally; centre,
 * hour and queue tallies are sums of cells, ratios are formed at the end. Nothing is allocated
 * per contact, no string is hashed in the pass (FCR groups callers by dense id), and the
 * survey and QA joins by contact id run on typed arrays: a 1M-contact day takes about
 * 0.15 s (docs/performance.md).
 *
 * Which records appear:
 * - `center`: whenever the day has anything to show (a segment, a QA evaluation, an unmatched
 *   survey or staffed time); a day with nothing yields no records at all.
 * - `queue`: every non-empty queue carried by a segment of the day (inbound, transfer or
 *   outbound campaign).
 * - `agent`: an agent who handled a segment, made an outbound attempt, was QA-evaluated, or
 *   has staffed time (agent states) on the day — an agent logged in all day who handled
 *   nothing is exactly what a manager wants to see.
 * - `team`: every team of an agent that appears.
 * - `hour`: every local hour `00`–`23` in which a segment of the day starts.
 * Records without an agent (abandons, unconnected dialler calls, a handled segment missing
 * its agent) count at centre, queue and hour scope only: no team can be credited with them.
 *
 * The drill-down's breakdown cells (exceptions.md §2.1) come from the same pass: when asked
 * for, a CellTallies is fed next to the scope tallies; without it the pass does no extra work.
 */
import type { Parameters } from '../config.js';
import type { Dimension } from '../exceptions/model.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  RosterEntry,
  SurveyResponse,
} from '../records.js';
import { localDayBounds, localParts } from '../time.js';
import { type BreakdownCell, CHILD_DIMENSIONS, type DayBreakdown, type ParentScope } from './breakdown.js';
import { metricsAtScope, type Scope } from './catalog.js';
import {
  ABANDONED,
  ANSWERED,
  CONNECTED,
  type ContactColumns,
  contactColumns,
  INBOUND,
  NONE,
  OUTBOUND,
} from './contact-columns.js';
import { rosterInForce } from './dedupe.js';
import { hashString, StringIndex } from './string-index.js';

export interface DayInput {
  center: string;
  /** Local calendar date YYYY-MM-DD in params.timezone. */
  date: string;
  params: Parameters;
  /**
   * Deduplicated contacts of the centre: every contact whose initiated_at falls on `date`, plus
   * at least those within fcr_window_seconds after the day's end. Contacts outside the day are
   * used only as FCR repeat candidates and to recognise surveys and evaluations of contacts
   * of other days (so they are neither joined nor counted as unmatched here).
   * As columns (what the reader hands over) or as records (turned into columns here).
   */
  contacts: readonly ContactRecord[] | ContactColumns;
  /**
   * Deduplicated responses that may match contacts of the day. A response matching no contact
   * of `contacts` counts in the centre's unmatched_surveys when responded_at falls on `date`.
   */
  surveys: readonly SurveyResponse[];
  /**
   * Deduplicated evaluations that may match contacts of the day. One whose contact is not in
   * `contacts` counts on its evaluated_at day at centre, team and agent scope only.
   */
  qa: readonly QaEvaluation[];
  /** All roster rows of the centre; the row in force on `date` is picked here. */
  roster: readonly RosterEntry[];
  /** Agent-state intervals touching the day (clipped here); null or empty = no data → occupancy null. */
  agentStates: readonly AgentStateInterval[] | null;
}

export interface KpiRecord {
  scope: Scope;
  id: string;
  /** Exactly the catalog's metrics at this scope; null where undefined (zero denominator). */
  metrics: Record<string, number | null>;
}

export const UNASSIGNED_TEAM = 'unassigned';

const QUARTER_HOUR_MS = 900_000;
/** Distinct-agent marks (Tally.markAgent). */
const MARK_ACTIVE = 1;
const MARK_OUTBOUND = 2;
const NO_AGENTS = new Uint8Array(0);

/** Numeric sums of one (scope, id); every metric is a ratio or copy of these. */
class Tally {
  offered = 0;
  answered = 0;
  abandoned = 0;
  shortAbandoned = 0;
  withinServiceLevel = 0;
  offeredQueueSeconds = 0;
  answeredQueueSeconds = 0;

  handled = 0;
  talkSeconds = 0;
  holdSeconds = 0;
  acwSeconds = 0;
  ringSeconds = 0;
  agentsActive = 0;
  fcrEligible = 0;
  repeated = 0;
  csatResponses = 0;
  csatScoreSum = 0;
  csatTop2 = 0;
  complaints = 0;
  qaEvaluations = 0;
  qaScoreSum = 0;
  qaPassed = 0;
  qaFatal = 0;

  outboundAttempts = 0;
  outboundConnected = 0;
  outboundSuccesses = 0;
  outboundAgents = 0;

  /** Agents with agent-state data, their (staffed − break) seconds and their handle seconds. */
  staffedAgents = 0;
  staffedSeconds = 0;
  staffedHandleSeconds = 0;

  unmatchedSurveys = 0;

  /** Per agent index: which distinct-agent counts (MARK_ACTIVE, MARK_OUTBOUND) already include it. */
  private agentsSeen = NO_AGENTS;

  /** True the first time `agentIndex` is marked with `flag` here. */
  markAgent(agentIndex: number, flag: number): boolean {
    if (agentIndex >= this.agentsSeen.length) {
      const grown = new Uint8Array(Math.max(64, agentIndex * 2));
      grown.set(this.agentsSeen);
      this.agentsSeen = grown;
    }
    const seen = this.agentsSeen[agentIndex] as number;
    if (seen & flag) return false;
    this.agentsSeen[agentIndex] = seen | flag;
    return true;
  }

  /**
   * Adds another tally's sums: an agent's day into its team (an agent belongs to one team, so
   * distinct counts add), or a cell of the pass into its scopes.
   */
  add(o: Tally): void {
    this.addOfferedSums(o);
    this.addServedSums(o);
  }

  /** The queue side: what was offered and what became of it. */
  addOfferedSums(o: Tally): void {
    this.offered += o.offered;
    this.answered += o.answered;
    this.abandoned += o.abandoned;
    this.shortAbandoned += o.shortAbandoned;
    this.withinServiceLevel += o.withinServiceLevel;
    this.offeredQueueSeconds += o.offeredQueueSeconds;
    this.answeredQueueSeconds += o.answeredQueueSeconds;
  }

  /** Everything but the queue side: handling, surveys, QA, outbound, staffed time. */
  addServedSums(o: Tally): void {
    this.handled += o.handled;
    this.talkSeconds += o.talkSeconds;
    this.holdSeconds += o.holdSeconds;
    this.acwSeconds += o.acwSeconds;
    this.ringSeconds += o.ringSeconds;
    this.agentsActive += o.agentsActive;
    this.fcrEligible += o.fcrEligible;
    this.repeated += o.repeated;
    this.csatResponses += o.csatResponses;
    this.csatScoreSum += o.csatScoreSum;
    this.csatTop2 += o.csatTop2;
    this.complaints += o.complaints;
    this.qaEvaluations += o.qaEvaluations;
    this.qaScoreSum += o.qaScoreSum;
    this.qaPassed += o.qaPassed;
    this.qaFatal += o.qaFatal;
    this.outboundAttempts += o.outboundAttempts;
    this.outboundConnected += o.outboundConnected;
    this.outboundSuccesses += o.outboundSuccesses;
    this.outboundAgents += o.outboundAgents;
    this.staffedAgents += o.staffedAgents;
    this.staffedSeconds += o.staffedSeconds;
    this.staffedHandleSeconds += o.staffedHandleSeconds;
  }
}

/** One agent's day: its tally, its index for distinct counts, and the Connect team hint seen. */
interface AgentDay {
  id: string;
  index: number;
  tally: Tally;
  teamHint: string;
  teamHintAt: number;
  teamHintContact: string;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const staffed = (t: Tally, v: number): number | null => (t.staffedAgents === 0 ? null : v);

/** Formulas of kpis.md §3 over a tally; keys are exactly the catalog's metric names. */
const FORMULAS: Record<string, (t: Tally, p: Parameters) => number | null> = {
  offered: (t) => t.offered,
  answered: (t) => t.answered,
  abandoned: (t) => t.abandoned,
  short_abandoned: (t) => t.shortAbandoned,
  answer_rate: (t) => ratio(t.answered, t.offered),
  abandon_rate: (t) => ratio(t.abandoned, t.offered),
  service_level: (t) => ratio(t.withinServiceLevel, t.offered),
  asa_seconds: (t) => ratio(t.answeredQueueSeconds, t.answered),
  avg_queue_seconds: (t) => ratio(t.offeredQueueSeconds, t.offered),

  handled: (t) => t.handled,
  aht_seconds: (t) => ratio(t.talkSeconds + t.holdSeconds + t.acwSeconds, t.handled),
  avg_talk_seconds: (t) => ratio(t.talkSeconds, t.handled),
  avg_hold_seconds: (t) => ratio(t.holdSeconds, t.handled),
  avg_acw_seconds: (t) => ratio(t.acwSeconds, t.handled),
  avg_ring_seconds: (t) => ratio(t.ringSeconds, t.handled),
  avg_rings: (t, p) => ratio(t.ringSeconds, t.handled * p.ring_cycle_seconds),
  agents_active: (t) => t.agentsActive,
  handled_per_agent: (t) => ratio(t.handled, t.agentsActive),
  staffed_seconds: (t) => staffed(t, t.staffedSeconds),
  handle_seconds: (t) => staffed(t, t.staffedHandleSeconds),
  occupancy: (t) => (t.staffedAgents === 0 ? null : ratio(t.staffedHandleSeconds, t.staffedSeconds)),

  fcr_eligible: (t) => t.fcrEligible,
  repeated: (t) => t.repeated,
  fcr_rate: (t) => (t.fcrEligible === 0 ? null : 1 - t.repeated / t.fcrEligible),
  repeat_rate: (t) => ratio(t.repeated, t.fcrEligible),
  csat_responses: (t) => t.csatResponses,
  csat_avg: (t) => ratio(t.csatScoreSum, t.csatResponses),
  csat_top2_rate: (t) => ratio(t.csatTop2, t.csatResponses),
  survey_response_rate: (t) => ratio(t.csatResponses, t.handled),
  unmatched_surveys: (t) => t.unmatchedSurveys,
  complaints: (t) => t.complaints,
  complaint_rate_per_1000: (t) => ratio(t.complaints * 1000, t.handled),
  qa_evaluations: (t) => t.qaEvaluations,
  qa_avg_score: (t) => ratio(t.qaScoreSum, t.qaEvaluations),
  qa_pass_rate: (t) => ratio(t.qaPassed, t.qaEvaluations),
  qa_fatal_errors: (t) => t.qaFatal,

  outbound_attempts: (t) => t.outboundAttempts,
  outbound_connected: (t) => t.outboundConnected,
  outbound_connect_rate: (t) => ratio(t.outboundConnected, t.outboundAttempts),
  outbound_successes: (t) => t.outboundSuccesses,
  outbound_agents: (t) => t.outboundAgents,
  outbound_attempts_per_agent: (t) => ratio(t.outboundAttempts, t.outboundAgents),
};

function addOffered(t: Tally, queueSeconds: number, answered: boolean, withinServiceLevel: boolean): void {
  t.offered++;
  t.offeredQueueSeconds += queueSeconds;
  if (answered) {
    t.answered++;
    t.answeredQueueSeconds += queueSeconds;
    if (withinServiceLevel) t.withinServiceLevel++;
  } else {
    t.abandoned++;
  }
}

function addHandled(
  t: Tally,
  c: ContactColumns,
  i: number,
  fcrEligible: number,
  repeated: number,
  survey: SurveyResponse | undefined,
  complaint: number,
): void {
  t.handled++;
  t.talkSeconds += c.talkSeconds[i] as number;
  t.holdSeconds += c.holdSeconds[i] as number;
  t.acwSeconds += c.acwSeconds[i] as number;
  t.ringSeconds += c.ringSeconds[i] as number;
  t.fcrEligible += fcrEligible;
  t.repeated += repeated;
  t.complaints += complaint;
  if (survey) {
    t.csatResponses++;
    t.csatScoreSum += survey.score;
    if (survey.score >= 4) t.csatTop2++;
  }
}

function addQa(t: Tally, e: QaEvaluation, passScore: number): void {
  t.qaEvaluations++;
  t.qaScoreSum += e.score;
  if (e.fatal) t.qaFatal++;
  else if (e.score >= passScore) t.qaPassed++;
}

function addOutbound(t: Tally, connected: number, success: number): void {
  t.outboundAttempts++;
  t.outboundConnected += connected;
  t.outboundSuccesses += success;
}

function metricsOf(scope: Scope, tally: Tally, params: Parameters): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  for (const def of metricsAtScope(scope)) {
    const formula = FORMULAS[def.name];
    if (!formula) throw new Error(`no formula for catalog metric ${def.name}`);
    metrics[def.name] = formula(tally, params);
  }
  return metrics;
}

function kpiRecord(scope: Scope, id: string, tally: Tally, params: Parameters): KpiRecord {
  return { scope, id, metrics: metricsOf(scope, tally, params) };
}

function tallyIn(list: (Tally | undefined)[], index: number): Tally {
  let t = list[index];
  if (!t) {
    t = new Tally();
    list[index] = t;
  }
  return t;
}

function tallyAt(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (!t) {
    t = new Tally();
    map.set(key, t);
  }
  return t;
}

/** Per queue: the centre's population in the queue, and the queue's own population by hour. */
interface QueueCells {
  /** Dense index of the queue, for agents' cells by queue. */
  index: number;
  /** Queue side inbound only, like the centre's (a transfer is offered to the queue, not the centre). */
  center: Tally;
  byHour: (Tally | undefined)[];
}

/** Per agent: its population by queue (index) and by hour; teams' cells are sums of these. */
interface AgentCells {
  byQueue: (Tally | undefined)[];
  byHour: (Tally | undefined)[];
}

/**
 * The tallies behind the breakdown cells (exceptions.md §2.1), fed by the pass event by event
 * with what the scope tallies get. Cells of teams are formed after the pass, once the agents'
 * teams are known, by adding up the agents' cells (an agent belongs to one team). Agent cells
 * have no distinct-agent marks: like agent tallies they are set once the pass is done.
 */
class CellTallies {
  readonly queues = new Map<string, QueueCells>();
  /** By QueueCells.index. */
  readonly queueNames: string[] = [];
  /** By agent index. */
  readonly agents: (AgentCells | undefined)[] = [];

  private queue(queue: string): QueueCells {
    let q = this.queues.get(queue);
    if (!q) {
      q = { index: this.queueNames.length, center: new Tally(), byHour: new Array(24) };
      this.queues.set(queue, q);
      this.queueNames.push(queue);
    }
    return q;
  }

  private agent(agent: AgentDay): AgentCells {
    let a = this.agents[agent.index];
    if (!a) {
      a = { byQueue: [], byHour: new Array(24) };
      this.agents[agent.index] = a;
    }
    return a;
  }

  shortAbandoned(queue: string, hour: number, inbound: boolean): void {
    const q = this.queue(queue);
    tallyIn(q.byHour, hour).shortAbandoned++;
    if (inbound) q.center.shortAbandoned++;
  }

  offered(
    queue: string,
    hour: number,
    inbound: boolean,
    queueSeconds: number,
    answered: boolean,
    within: boolean,
  ): void {
    const q = this.queue(queue);
    addOffered(tallyIn(q.byHour, hour), queueSeconds, answered, within);
    if (inbound) addOffered(q.center, queueSeconds, answered, within);
  }

  handled(
    queue: string,
    hour: number,
    agent: AgentDay | undefined,
    c: ContactColumns,
    i: number,
    fcrEligible: number,
    repeated: number,
    survey: SurveyResponse | undefined,
    complaint: number,
  ): void {
    const q = queue === '' ? undefined : this.queue(queue);
    if (q) {
      const inHour = tallyIn(q.byHour, hour);
      addHandled(q.center, c, i, fcrEligible, repeated, survey, complaint);
      addHandled(inHour, c, i, fcrEligible, repeated, survey, complaint);
      if (agent) {
        if (q.center.markAgent(agent.index, MARK_ACTIVE)) q.center.agentsActive++;
        if (inHour.markAgent(agent.index, MARK_ACTIVE)) inHour.agentsActive++;
      }
    }
    if (agent) {
      const a = this.agent(agent);
      addHandled(tallyIn(a.byHour, hour), c, i, fcrEligible, repeated, survey, complaint);
      if (q) addHandled(tallyIn(a.byQueue, q.index), c, i, fcrEligible, repeated, survey, complaint);
    }
  }

  outbound(
    queue: string,
    hour: number,
    agent: AgentDay | undefined,
    connected: number,
    success: number,
  ): void {
    const q = queue === '' ? undefined : this.queue(queue);
    if (q) {
      const inHour = tallyIn(q.byHour, hour);
      addOutbound(q.center, connected, success);
      addOutbound(inHour, connected, success);
      if (agent) {
        if (q.center.markAgent(agent.index, MARK_OUTBOUND)) q.center.outboundAgents++;
        if (inHour.markAgent(agent.index, MARK_OUTBOUND)) inHour.outboundAgents++;
      }
    }
    if (agent) {
      const a = this.agent(agent);
      addOutbound(tallyIn(a.byHour, hour), connected, success);
      if (q) addOutbound(tallyIn(a.byQueue, q.index), connected, success);
    }
  }

  /** An evaluation of a contact of the day: its queue and hour, and the evaluated agent. */
  qa(queue: string, hour: number, evaluated: AgentDay | undefined, e: QaEvaluation, passScore: number): void {
    const q = queue === '' ? undefined : this.queue(queue);
    if (q) {
      addQa(q.center, e, passScore);
      addQa(tallyIn(q.byHour, hour), e, passScore);
    }
    if (evaluated) {
      const a = this.agent(evaluated);
      addQa(tallyIn(a.byHour, hour), e, passScore);
      if (q) addQa(tallyIn(a.byQueue, q.index), e, passScore);
    }
  }
}

/** Codes are matched trimmed and case-insensitively ("Complaint" is a complaint code too). */
function codeMatcher(codes: readonly string[]): (disposition: string) => boolean {
  const wanted = new Set(codes.map((c) => c.trim().toLowerCase()));
  const memo = new Map<string, boolean>();
  return (disposition) => {
    if (disposition === '' || wanted.size === 0) return false;
    let hit = memo.get(disposition);
    if (hit === undefined) {
      hit = wanted.has(disposition.trim().toLowerCase());
      memo.set(disposition, hit);
    }
    return hit;
  };
}

/**
 * Counting sort of item indices by group: the items of group g are
 * order[start[g]] … order[start[g + 1] − 1], in index order. Items with group −1 are left out.
 */
function groupIndices(groupOf: Int32Array, groups: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g >= 0) start[g + 1] = (start[g + 1] as number) + 1;
  }
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const cursor = start.slice(0, groups);
  const order = new Int32Array(start[groups] as number);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g < 0) continue;
    order[cursor[g] as number] = i;
    cursor[g] = (cursor[g] as number) + 1;
  }
  return { start, order };
}

/**
 * FCR repeats: flags each answered inbound segment X of the day with a known caller for which
 * another inbound segment Y of the same caller starts within (0, window] after it.
 *
 * The inbound segments are grouped by caller id (a counting sort, typed arrays only). Most
 * callers call once or twice, so a small group compares each eligible X with the others; a
 * large one (a trunk number, a test line) is walked in time order instead, so a caller with
 * thousands of calls stays n log n.
 */
function findRepeats(c: ContactColumns, start: number, end: number, windowMs: number): Uint8Array {
  const n = c.length;
  const repeated = new Uint8Array(n);
  const { direction, outcome, caller, initiatedAt } = c;
  // Calls per caller (inbound segments only), then each caller's slice of the grouped arrays.
  const groupStart = new Int32Array(c.callers + 1);
  for (let i = 0; i < n; i++) {
    const g = caller[i] as number;
    if (g !== NONE && direction[i] === INBOUND) groupStart[g + 1] = (groupStart[g + 1] as number) + 1;
  }
  let m = 0;
  for (let g = 0; g < c.callers; g++) {
    // A caller with one call has nothing to compare: no slice.
    const calls = groupStart[g + 1] as number;
    groupStart[g] = m;
    if (calls > 1) m += calls;
  }
  groupStart[c.callers] = m;
  // Grouped: the row (negative when not eligible as X: not answered, or not on the day) and time.
  const row = new Int32Array(m);
  const time = new Float64Array(m);
  const cursor = groupStart.slice(0, c.callers);
  for (let i = 0; i < n; i++) {
    const g = caller[i] as number;
    if (g === NONE || direction[i] !== INBOUND || groupStart[g + 1] === groupStart[g]) continue;
    const k = cursor[g] as number;
    cursor[g] = k + 1;
    const t = initiatedAt[i] as number;
    time[k] = t;
    row[k] = outcome[i] === ANSWERED && t >= start && t < end ? i : -1 - i;
  }

  for (let g = 0; g < c.callers; g++) {
    const lo = groupStart[g] as number;
    const hi = groupStart[g + 1] as number;
    if (hi - lo <= 32) {
      for (let k = lo; k < hi; k++) {
        const i = row[k] as number;
        if (i < 0) continue;
        const t = time[k] as number;
        for (let j = lo; j < hi; j++) {
          const d = (time[j] as number) - t;
          if (d > 0 && d <= windowMs) {
            repeated[i] = 1;
            break;
          }
        }
      }
    } else {
      // The caller's calls in time order: each eligible call against the next later one.
      const calls = Array.from({ length: hi - lo }, (_, p) => lo + p).sort(
        (x, y) => (time[x] as number) - (time[y] as number),
      );
      let next = 0;
      for (let p = 0; p < calls.length; p++) {
        const k = calls[p] as number;
        const i = row[k] as number;
        if (i < 0) continue;
        const t = time[k] as number;
        if (next <= p) next = p + 1;
        while (next < calls.length && (time[calls[next] as number] as number) <= t) next++;
        if (next < calls.length && (time[calls[next] as number] as number) - t <= windowMs) repeated[i] = 1;
      }
    }
  }
  return repeated;
}

/** The union of intervals as sorted, disjoint intervals (sorts its argument in place). */
function mergeIntervals(intervals: [number, number][]): [number, number][] {
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of intervals) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** `a` minus `b`, both sorted and disjoint: sorted, disjoint intervals. */
function subtractIntervals(a: [number, number][], b: [number, number][]): [number, number][] {
  const rest: [number, number][] = [];
  let j = 0;
  for (const [from, e] of a) {
    let s = from;
    while (j < b.length && (b[j] as [number, number])[1] <= s) j++;
    for (let k = j; k < b.length && (b[k] as [number, number])[0] < e; k++) {
      const [bs, be] = b[k] as [number, number];
      if (bs > s) rest.push([s, bs]);
      s = Math.max(s, be);
    }
    if (s < e) rest.push([s, e]);
  }
  return rest;
}

/**
 * (staffed − break) time per agent, clipped to the local day, for agents staffed during it, as
 * sorted disjoint intervals. Overlapping intervals count once, and only break time inside
 * staffed time is deducted.
 */
function availableIntervals(
  states: readonly AgentStateInterval[],
  start: number,
  end: number,
): Map<string, [number, number][]> {
  const byAgent = new Map<string, { staffed: [number, number][]; onBreak: [number, number][] }>();
  for (const s of states) {
    const from = Math.max(s.start, start);
    const to = Math.min(s.end, end);
    if (!(to > from)) continue;
    let agent = byAgent.get(s.agent_id);
    if (!agent) {
      agent = { staffed: [], onBreak: [] };
      byAgent.set(s.agent_id, agent);
    }
    (s.state === 'staffed' ? agent.staffed : agent.onBreak).push([from, to]);
  }
  const available = new Map<string, [number, number][]>();
  for (const [agentId, { staffed, onBreak }] of byAgent) {
    if (staffed.length > 0)
      available.set(agentId, subtractIntervals(mergeIntervals(staffed), mergeIntervals(onBreak)));
  }
  return available;
}

/**
 * Average agents staffed per local hour id: available seconds in the hour / 3600, every hour
 * of the day listed; {} without agent-state data. Both 01:00 hours of a fall-back day add into
 * `01`, as its hour record adds both hours' contacts.
 */
function staffedAgentsByHour(
  available: Map<string, [number, number][]>,
  start: number,
  hourOf: Uint8Array,
): Record<string, number> {
  const byHour: Record<string, number> = {};
  if (available.size === 0) return byHour;
  const ms = new Float64Array(24);
  for (const intervals of available.values()) {
    for (const [s, e] of intervals) {
      for (let q = Math.floor((s - start) / QUARTER_HOUR_MS); q < hourOf.length; q++) {
        const from = start + q * QUARTER_HOUR_MS;
        if (from >= e) break;
        const h = hourOf[q] as number;
        ms[h] = (ms[h] as number) + Math.min(e, from + QUARTER_HOUR_MS) - Math.max(s, from);
      }
    }
  }
  for (const h of hourOf) byHour[hourId(h)] = (ms[h] as number) / 3_600_000;
  return byHour;
}

/** Local hour (0–23) of each quarter hour of the day: both 01:00 hours on a fall-back day are 1. */
function hourOfQuarter(start: number, end: number, timezone: string): Uint8Array {
  const table = new Uint8Array(Math.ceil((end - start) / QUARTER_HOUR_MS));
  for (let q = 0; q < table.length; q++)
    table[q] = Number(localParts(start + q * QUARTER_HOUR_MS, timezone).hour);
  return table;
}

function byId<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

const hourId = (h: number): string => (h < 10 ? `0${h}` : String(h));

function hourEntries(hours: readonly (Tally | undefined)[] | undefined): [string, Tally][] {
  const entries: [string, Tally][] = [];
  hours?.forEach((t, h) => {
    if (t) entries.push([hourId(h), t]);
  });
  return entries;
}

/** A centre-day after the pass, teams resolved. */
interface DayTallies {
  hasData: boolean;
  center: Tally;
  queues: Map<string, Tally>;
  teams: Map<string, Tally>;
  /** The agents that appear, with their team. */
  agents: { day: AgentDay; team: string }[];
  hours: (Tally | undefined)[];
  available: Map<string, [number, number][]>;
  start: number;
  hourOf: Uint8Array;
}

/** The one pass over the day; `cells`, when given, is fed the breakdown cells on the way. */
function tallyDay(input: DayInput, cells: CellTallies | null): DayTallies {
  const { params } = input;
  const c = contactColumns(input.contacts);
  const { start, end } = localDayBounds(input.date, params.timezone);
  const hourOf = hourOfQuarter(start, end, params.timezone);
  const shortAbandon = params.short_abandon_seconds;
  const serviceLevel = params.service_level_seconds;
  const qaPass = params.qa_pass_score;
  const repeatedFlags = findRepeats(c, start, end, params.fcr_window_seconds * 1000);
  // Per disposition id: bit 1 = a complaint code, bit 2 = a success code.
  const isComplaintCode = codeMatcher(params.complaint_codes);
  const isSuccessCode = codeMatcher(params.success_codes);
  const codeFlags = Uint8Array.from(
    c.dispositions,
    (d) => (isComplaintCode(d) ? 1 : 0) | (isSuccessCode(d) ? 2 : 0),
  );
  const codeOf = (i: number): number => {
    const d = c.disposition[i] as number;
    return d === NONE ? 0 : (codeFlags[d] as number);
  };

  const center = new Tally();
  const hours: (Tally | undefined)[] = new Array(24);
  const queueTallies: (Tally | undefined)[] = new Array(c.queues.length);
  // The pass adds each segment into one cell, by (queue or none, hour), inbound apart, and
  // into its agent's tally; the centre, hour and queue tallies are sums of cells, made after
  // the pass. Distinct agents by hour and by queue: a mark per (hour or queue, agent index)
  // and a count; the centre's are counted from the agents' tallies.
  const inboundCells: (Tally | undefined)[] = new Array((c.queues.length + 1) * 24);
  const otherCells: (Tally | undefined)[] = new Array((c.queues.length + 1) * 24);
  // Agent indexes come from the contacts' agents and the evaluations' (a QA form may name another).
  const agentSlots = c.agents.length + input.qa.length;
  const hourMarks = new Uint8Array(24 * agentSlots);
  const queueMarks = new Uint8Array(c.queues.length * agentSlots);
  const distinct = {
    active: new Int32Array(24 + c.queues.length),
    outbound: new Int32Array(24 + c.queues.length),
  };
  /** Marks the agent in hour h (and queue q, unless NONE) as `flag`, counting it the first time. */
  const markAgent = (agentIndex: number, h: number, q: number, flag: number): void => {
    const counts = flag === MARK_ACTIVE ? distinct.active : distinct.outbound;
    const hk = h * agentSlots + agentIndex;
    const hm = hourMarks[hk] as number;
    if (!(hm & flag)) {
      hourMarks[hk] = hm | flag;
      counts[h] = (counts[h] as number) + 1;
    }
    if (q === NONE) return;
    const qk = q * agentSlots + agentIndex;
    const qm = queueMarks[qk] as number;
    if (!(qm & flag)) {
      queueMarks[qk] = qm | flag;
      counts[24 + q] = (counts[24 + q] as number) + 1;
    }
  };
  const agents = new Map<string, AgentDay>();
  const agentOfColumn: (AgentDay | undefined)[] = new Array(c.agents.length);

  const agentDay = (id: string): AgentDay => {
    let a = agents.get(id);
    if (!a) {
      a = {
        id,
        index: agents.size,
        tally: new Tally(),
        teamHint: '',
        teamHintAt: -Infinity,
        teamHintContact: '',
      };
      agents.set(id, a);
    }
    return a;
  };

  // Join indexes by contact_id; what stays unmatched after the pass matched no contact.
  const surveys = input.surveys;
  const surveyIndex = new StringIndex(surveys.length);
  const surveyById: SurveyResponse[] = [];
  for (const s of surveys) surveyById[surveyIndex.add(s.contact_id, hashString(s.contact_id))] = s;
  const surveyMatched = new Uint8Array(surveyIndex.size);
  const qa = input.qa;
  const qaIndex = new StringIndex(qa.length);
  const qaGroupOf = new Int32Array(qa.length);
  for (let k = 0; k < qa.length; k++) {
    const e = qa[k] as QaEvaluation;
    qaGroupOf[k] = qaIndex.add(e.contact_id, hashString(e.contact_id));
  }
  // A contact may have several evaluations.
  const { start: qaStart, order: qaOrder } = groupIndices(qaGroupOf, qaIndex.size);
  const qaMatched = new Uint8Array(qaIndex.size);
  const joining = surveys.length > 0 || qa.length > 0;

  for (let i = 0; i < c.length; i++) {
    let survey: SurveyResponse | undefined;
    let qaGroup = -1;
    if (joining) {
      const contactId = c.contactId[i] as string;
      const h = hashString(contactId);
      const sid = surveyIndex.find(contactId, h);
      if (sid >= 0) {
        surveyMatched[sid] = 1;
        survey = surveyById[sid];
      }
      qaGroup = qaIndex.find(contactId, h);
      if (qaGroup >= 0) qaMatched[qaGroup] = 1;
    }
    const t = c.initiatedAt[i] as number;
    if (!(t >= start && t < end)) continue;

    const hourIndex = hourOf[Math.floor((t - start) / QUARTER_HOUR_MS)] as number;
    const queueId = c.queue[i] as number;
    // The breakdown's cells are keyed by name; the scope pass needs none.
    const queueName = cells === null || queueId === NONE ? '' : (c.queues[queueId] as string);
    const direction = c.direction[i] as number;
    const cell = tallyIn(direction === INBOUND ? inboundCells : otherCells, (queueId + 1) * 24 + hourIndex);
    const agentId = c.agent[i] as number;
    let agent: AgentDay | undefined;
    if (agentId !== NONE) {
      agent = agentOfColumn[agentId];
      if (!agent) {
        agent = agentDay(c.agents[agentId] as string);
        agentOfColumn[agentId] = agent;
      }
      const hint = c.teamHint[i] as number;
      if (hint !== NONE) {
        // The agent's latest record of the day carries its current Connect hierarchy group.
        const contactId = c.contactId[i] as string;
        if (t > agent.teamHintAt || (t === agent.teamHintAt && contactId > agent.teamHintContact)) {
          agent.teamHint = c.teamHints[hint] as string;
          agent.teamHintAt = t;
          agent.teamHintContact = contactId;
        }
      }
    }

    const outcome = c.outcome[i] as number;
    if (direction === OUTBOUND) {
      const connected = outcome === CONNECTED ? 1 : 0;
      const success = codeOf(i) & 2 ? 1 : 0;
      addOutbound(cell, connected, success);
      if (agent) {
        addOutbound(agent.tally, connected, success);
        markAgent(agent.index, hourIndex, queueId, MARK_OUTBOUND);
      }
      cells?.outbound(queueName, hourIndex, agent, connected, success);
    } else {
      const inbound = direction === INBOUND;
      const answered = outcome === ANSWERED;
      const qs = c.queueSeconds[i] as number;
      // A segment with no queue never entered one: not offered (it may still be handled).
      if (queueId !== NONE && (answered || outcome === ABANDONED)) {
        if (!answered && qs < shortAbandon) {
          cell.shortAbandoned++;
          cells?.shortAbandoned(queueName, hourIndex, inbound);
        } else {
          const within = answered && qs <= serviceLevel;
          addOffered(cell, qs, answered, within);
          cells?.offered(queueName, hourIndex, inbound, qs, answered, within);
        }
      }
      if (answered) {
        const eligible = inbound && c.caller[i] !== NONE ? 1 : 0;
        const repeated = repeatedFlags[i] as number;
        const complaint = survey?.complaint || codeOf(i) & 1 ? 1 : 0;
        addHandled(cell, c, i, eligible, repeated, survey, complaint);
        if (agent) {
          addHandled(agent.tally, c, i, eligible, repeated, survey, complaint);
          markAgent(agent.index, hourIndex, queueId, MARK_ACTIVE);
        }
        cells?.handled(queueName, hourIndex, agent, c, i, eligible, repeated, survey, complaint);
      }
    }

    if (qaGroup >= 0) {
      for (let k = qaStart[qaGroup] as number; k < (qaStart[qaGroup + 1] as number); k++) {
        const e = qa[qaOrder[k] as number] as QaEvaluation;
        addQa(cell, e, qaPass);
        // The evaluated agent is credited; the contact's agent stands in when the form omits it.
        const evaluatedId = e.agent_id || agent?.id;
        const evaluated = evaluatedId ? agentDay(evaluatedId) : undefined;
        if (evaluated) addQa(evaluated.tally, e, qaPass);
        cells?.qa(queueName, hourIndex, evaluated, e, qaPass);
      }
    }
  }
  // Cells into their scopes: only inbound segments are offered to the centre (kpis.md §2).
  const addCells = (list: (Tally | undefined)[], inbound: boolean): void => {
    list.forEach((cell, k) => {
      if (!cell) return;
      const queueId = Math.floor(k / 24) - 1;
      for (const t of [center, tallyIn(hours, k % 24)]) {
        if (inbound) t.add(cell);
        else t.addServedSums(cell);
      }
      if (queueId !== NONE) tallyIn(queueTallies, queueId).add(cell);
    });
  };
  addCells(inboundCells, true);
  addCells(otherCells, false);
  const setDistinct = (t: Tally | undefined, k: number): void => {
    if (!t) return;
    t.agentsActive = distinct.active[k] as number;
    t.outboundAgents = distinct.outbound[k] as number;
  };
  hours.forEach((t, h) => {
    setDistinct(t, h);
  });
  const queues = new Map<string, Tally>();
  queueTallies.forEach((t, id) => {
    setDistinct(t, 24 + id);
    if (t) queues.set(c.queues[id] as string, t);
  });

  surveyById.forEach((s, id) => {
    if (!surveyMatched[id] && s.responded_at >= start && s.responded_at < end) center.unmatchedSurveys++;
  });
  for (let k = 0; k < qa.length; k++) {
    const e = qa[k] as QaEvaluation;
    if (qaMatched[qaGroupOf[k] as number] || !(e.evaluated_at >= start && e.evaluated_at < end)) continue;
    addQa(center, e, qaPass);
    if (e.agent_id) addQa(agentDay(e.agent_id).tally, e, qaPass);
  }

  const available = input.agentStates?.length
    ? availableIntervals(input.agentStates, start, end)
    : new Map<string, [number, number][]>();
  for (const id of available.keys()) agentDay(id);

  const roster = rosterInForce(input.roster, input.date);
  const teams = new Map<string, Tally>();
  const kept: { day: AgentDay; team: string }[] = [];
  for (const a of agents.values()) {
    const t = a.tally;
    const intervals = available.get(a.id);
    if (intervals !== undefined) {
      let ms = 0;
      for (const [s, e] of intervals) ms += e - s;
      t.staffedAgents = 1;
      t.staffedSeconds = ms / 1000;
      t.staffedHandleSeconds = t.talkSeconds + t.holdSeconds + t.acwSeconds;
      center.staffedAgents++;
      center.staffedSeconds += t.staffedSeconds;
      center.staffedHandleSeconds += t.staffedHandleSeconds;
    }
    t.agentsActive = t.handled > 0 ? 1 : 0;
    t.outboundAgents = t.outboundAttempts > 0 ? 1 : 0;
    center.agentsActive += t.agentsActive;
    center.outboundAgents += t.outboundAgents;
    if (t.handled === 0 && t.outboundAttempts === 0 && t.qaEvaluations === 0 && t.staffedAgents === 0)
      continue;
    const team = roster.get(a.id)?.team || a.teamHint || UNASSIGNED_TEAM;
    tallyAt(teams, team).add(t);
    kept.push({ day: a, team });
  }

  const hasData =
    queues.size > 0 ||
    kept.length > 0 ||
    hours.some((t) => t !== undefined) ||
    center.qaEvaluations > 0 ||
    center.unmatchedSurveys > 0;
  return { hasData, center, queues, teams, agents: kept, hours, available, start, hourOf };
}

/** Centre first, then queues, teams, agents, hours (ids sorted). */
function dayRecords(centerId: string, d: DayTallies, params: Parameters): KpiRecord[] {
  const records: KpiRecord[] = [kpiRecord('center', centerId, d.center, params)];
  for (const [id, t] of [...d.queues].sort(byId)) records.push(kpiRecord('queue', id, t, params));
  for (const [id, t] of [...d.teams].sort(byId)) records.push(kpiRecord('team', id, t, params));
  const agents = d.agents.map(({ day }): [string, Tally] => [day.id, day.tally]);
  for (const [id, t] of agents.sort(byId)) records.push(kpiRecord('agent', id, t, params));
  for (const [id, t] of hourEntries(d.hours)) records.push(kpiRecord('hour', id, t, params));
  return records;
}

/**
 * The cells of every parent (centre, queues, teams; ids sorted) by its child dimensions in
 * CHILD_DIMENSIONS order, children sorted by id; metrics at the parent's scope.
 */
function breakdownCells(
  centerId: string,
  d: DayTallies,
  cells: CellTallies,
  params: Parameters,
): BreakdownCell[] {
  const queueAgents = new Map<string, [string, Tally][]>();
  const queueTeams = new Map<string, Map<string, Tally>>();
  const teamQueues = new Map<string, Map<string, Tally>>();
  const teamAgents = new Map<string, [string, Tally][]>();
  const teamHours = new Map<string, (Tally | undefined)[]>();
  const listIn = <T>(map: Map<string, T[]>, key: string): T[] => {
    let list = map.get(key);
    if (!list) {
      list = [];
      map.set(key, list);
    }
    return list;
  };
  const mapIn = <T>(map: Map<string, Map<string, T>>, key: string): Map<string, T> => {
    let inner = map.get(key);
    if (!inner) {
      inner = new Map();
      map.set(key, inner);
    }
    return inner;
  };
  for (const { day, team } of d.agents) {
    listIn(teamAgents, team).push([day.id, day.tally]);
    const a = cells.agents[day.index];
    if (!a) continue;
    // Distinct agents in a cell of one agent: itself, when it did something there.
    for (const t of [...a.byQueue, ...a.byHour]) {
      if (!t) continue;
      t.agentsActive = t.handled > 0 ? 1 : 0;
      t.outboundAgents = t.outboundAttempts > 0 ? 1 : 0;
    }
    for (const [queueIndex, t] of a.byQueue.entries()) {
      if (!t) continue;
      const queue = cells.queueNames[queueIndex] as string;
      listIn(queueAgents, queue).push([day.id, t]);
      const inTeam = tallyAt(mapIn(queueTeams, queue), team);
      inTeam.add(t);
      // Team → queue is the same population as queue → team.
      mapIn(teamQueues, team).set(queue, inTeam);
    }
    const hoursOfTeam = listIn(teamHours, team);
    for (const [h, t] of a.byHour.entries()) if (t) tallyIn(hoursOfTeam, h).add(t);
  }

  const out: BreakdownCell[] = [];
  const emit = (
    scope: ParentScope,
    parentId: string,
    children: Partial<Record<Dimension, Iterable<[string, Tally]> | undefined>>,
  ): void => {
    for (const dimension of CHILD_DIMENSIONS[scope]) {
      for (const [id, t] of [...(children[dimension] ?? [])].sort(byId)) {
        out.push({
          parent_scope: scope,
          parent_id: parentId,
          dimension,
          id,
          metrics: metricsOf(scope, t, params),
        });
      }
    }
  };
  emit('center', centerId, {
    queue: [...cells.queues].map(([id, q]): [string, Tally] => [id, q.center]),
    team: d.teams,
    hour: hourEntries(d.hours),
  });
  for (const id of [...d.queues.keys()].sort()) {
    emit('queue', id, {
      team: queueTeams.get(id),
      agent: queueAgents.get(id),
      hour: hourEntries(cells.queues.get(id)?.byHour),
    });
  }
  for (const id of [...d.teams.keys()].sort()) {
    emit('team', id, {
      agent: teamAgents.get(id),
      queue: teamQueues.get(id),
      hour: hourEntries(teamHours.get(id)),
    });
  }
  return out;
}

/**
 * Every KPI of the centre-day at every scope: centre first, then queues, teams, agents, hours
 * (ids sorted); [] for a day with no data.
 */
export function computeDayKpis(input: DayInput): KpiRecord[] {
  const d = tallyDay(input, null);
  return d.hasData ? dayRecords(input.center, d, input.params) : [];
}

/**
 * The day's KPI records (exactly computeDayKpis') and its breakdown cells (exceptions.md §2.1)
 * from the same pass. A cell's metrics are the parent scope's, over the parent's population
 * restricted to the child; the part of the population with no value on the dimension (a
 * handled segment without a queue, an evaluation of an unknown contact) is in no cell.
 */
export function computeDayKpisWithBreakdown(input: DayInput): {
  records: KpiRecord[];
  breakdown: DayBreakdown;
} {
  const cells = new CellTallies();
  const d = tallyDay(input, cells);
  if (!d.hasData) return { records: [], breakdown: { cells: [], staffed_agents_by_hour: {} } };
  return {
    records: dayRecords(input.center, d, input.params),
    breakdown: {
      cells: breakdownCells(input.center, d, cells, input.params),
      staffed_agents_by_hour: staffedAgentsByHour(d.available, d.start, d.hourOf),
    },
  };
}
