/**
 * The KPI engine: every metric of kpis.md §3 at every scope of §2 for one centre-day, as a
 * pure function of that day's (deduplicated) records — recomputed whole, never incremented
 * (architecture.md rule 1). One pass over the contacts accumulates numeric sums into one
 * Tally per (scope, id); ratios are formed at the end. Nothing is allocated per contact, and
 * the million-key work (FCR by caller, survey and QA joins by contact id) runs on typed arrays:
 * a 1M-contact day takes about 0.35 s (docs/performance.md).
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
import { rosterInForce } from './dedupe.js';

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
   */
  contacts: readonly ContactRecord[];
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
const ACTIVE = 1;
const OUTBOUND = 2;
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

  /** Per agent index: which distinct-agent counts (ACTIVE, OUTBOUND) already include it. */
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

  /** Adds an agent's day into its team (an agent belongs to one team, so distinct counts add). */
  add(o: Tally): void {
    this.offered += o.offered;
    this.answered += o.answered;
    this.abandoned += o.abandoned;
    this.shortAbandoned += o.shortAbandoned;
    this.withinServiceLevel += o.withinServiceLevel;
    this.offeredQueueSeconds += o.offeredQueueSeconds;
    this.answeredQueueSeconds += o.answeredQueueSeconds;
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
  c: ContactRecord,
  fcrEligible: number,
  repeated: number,
  survey: SurveyResponse | undefined,
  complaint: number,
): void {
  t.handled++;
  t.talkSeconds += c.talk_seconds;
  t.holdSeconds += c.hold_seconds;
  t.acwSeconds += c.acw_seconds;
  t.ringSeconds += c.ring_seconds;
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
    c: ContactRecord,
    fcrEligible: number,
    repeated: number,
    survey: SurveyResponse | undefined,
    complaint: number,
  ): void {
    const q = queue === '' ? undefined : this.queue(queue);
    if (q) {
      const inHour = tallyIn(q.byHour, hour);
      addHandled(q.center, c, fcrEligible, repeated, survey, complaint);
      addHandled(inHour, c, fcrEligible, repeated, survey, complaint);
      if (agent) {
        if (q.center.markAgent(agent.index, ACTIVE)) q.center.agentsActive++;
        if (inHour.markAgent(agent.index, ACTIVE)) inHour.agentsActive++;
      }
    }
    if (agent) {
      const a = this.agent(agent);
      addHandled(tallyIn(a.byHour, hour), c, fcrEligible, repeated, survey, complaint);
      if (q) addHandled(tallyIn(a.byQueue, q.index), c, fcrEligible, repeated, survey, complaint);
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
        if (q.center.markAgent(agent.index, OUTBOUND)) q.center.outboundAgents++;
        if (inHour.markAgent(agent.index, OUTBOUND)) inHour.outboundAgents++;
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

/** FNV-1a over every UTF-16 code unit (structured ids may differ anywhere). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Dense ids for strings on typed arrays (open addressing, linear probing). A day joins a
 * million contact ids and caller tokens: a Map<string, …> that size costs hundreds of
 * nanoseconds an operation, this a few tens and no allocation per key. Equal hashes are
 * confirmed by comparing the strings, so a collision costs time, never a wrong answer.
 */
class StringIndex {
  /** id + 1 per slot; 0 = empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly hashes: Uint32Array;
  private readonly keys: string[] = [];

  /** `capacity`: the most distinct keys that will be added. */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Uint32Array(Math.max(capacity, 1));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The id of `key` (whose hash is `h`), or -1. */
  find(key: string, h: number): number {
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = (this.slots[slot] as number) - 1;
      if (id < 0 || (this.hashes[id] === h && this.keys[id] === key)) return id;
    }
  }

  /** The id of `key` (whose hash is `h`), given the next dense id if new. */
  add(key: string, h: number): number {
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const id = (this.slots[slot] as number) - 1;
      if (id < 0) break;
      if (this.hashes[id] === h && this.keys[id] === key) return id;
    }
    const id = this.keys.length;
    this.keys.push(key);
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    return id;
  }
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
 * FCR repeats: flags each answered inbound segment X of the day with a caller_token for which
 * another inbound segment Y of the same caller starts within (0, window] after it.
 *
 * A million records scattered over the heap make every random read a cache miss, so one
 * sequential pass reads each record once (hashing its token), and the candidates (inbound
 * segments with a caller) are then scattered, from typed arrays only, into buckets by the top
 * bits of their token's hash. A bucket holds a few candidates: each eligible X is compared
 * with the others of its bucket (equal hash, later time within the window), and only such a
 * match — a real repeat, or a hash collision — reads the two records' tokens to confirm it.
 * A bucket with many candidates (a trunk number, a test line) is grouped by token and walked
 * in time order instead, so a caller with thousands of calls stays n log n.
 */
function findRepeats(
  contacts: readonly ContactRecord[],
  start: number,
  end: number,
  windowMs: number,
): Uint8Array {
  const n = contacts.length;
  const repeated = new Uint8Array(n);
  // About four candidates per bucket (n bounds their number) keeps the bucket table in cache.
  let bits = 1;
  while (bits < 22 && 4 << bits < n) bits++;
  const shift = 32 - bits;
  const buckets = 1 << bits;

  // Per record: 0 = not a candidate, 1 = candidate, 2 = candidate and eligible as X.
  const kindOf = new Uint8Array(n);
  const hashOf = new Uint32Array(n);
  const timeOf = new Float64Array(n);
  const bucketStart = new Int32Array(buckets + 1);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = contacts[i] as ContactRecord;
    if (c.direction !== 'inbound' || c.caller_token === '') continue;
    const h = hashString(c.caller_token);
    const t = c.initiated_at;
    hashOf[i] = h;
    timeOf[i] = t;
    kindOf[i] = c.outcome === 'answered' && t >= start && t < end ? 2 : 1;
    const b = (h >>> shift) + 1;
    bucketStart[b] = (bucketStart[b] as number) + 1;
    m++;
  }
  for (let b = 0; b < buckets; b++)
    bucketStart[b + 1] = (bucketStart[b + 1] as number) + (bucketStart[b] as number);

  const cursor = bucketStart.slice(0, buckets);
  const hash = new Uint32Array(m);
  const time = new Float64Array(m);
  /** Record index × 2, + 1 when eligible (a day has far fewer than 2³⁰ records). */
  const entry = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    const kind = kindOf[i] as number;
    if (kind === 0) continue;
    const h = hashOf[i] as number;
    const b = h >>> shift;
    const k = cursor[b] as number;
    cursor[b] = k + 1;
    hash[k] = h;
    time[k] = timeOf[i] as number;
    entry[k] = i * 2 + (kind - 1);
  }

  /** The token of candidate k: a random read of its record, so only to confirm a match. */
  const tokenOf = (k: number): string => (contacts[(entry[k] as number) >> 1] as ContactRecord).caller_token;
  for (let b = 0; b < buckets; b++) {
    const lo = bucketStart[b] as number;
    const hi = bucketStart[b + 1] as number;
    if (hi - lo <= 32) {
      for (let k = lo; k < hi; k++) {
        if (((entry[k] as number) & 1) === 0) continue;
        const h = hash[k] as number;
        const t = time[k] as number;
        for (let j = lo; j < hi; j++) {
          if (hash[j] !== h) continue;
          const d = (time[j] as number) - t;
          if (d > 0 && d <= windowMs && tokenOf(j) === tokenOf(k)) {
            repeated[(entry[k] as number) >> 1] = 1;
            break;
          }
        }
      }
    } else {
      // Many candidates in one bucket: each caller's calls in time order, next later call.
      const callers = new Map<string, number[]>();
      for (let k = lo; k < hi; k++) {
        const token = tokenOf(k);
        const list = callers.get(token);
        if (list) list.push(k);
        else callers.set(token, [k]);
      }
      for (const list of callers.values()) {
        list.sort((x, y) => (time[x] as number) - (time[y] as number));
        let next = 0;
        for (let p = 0; p < list.length; p++) {
          const k = list[p] as number;
          if (((entry[k] as number) & 1) === 0) continue;
          const t = time[k] as number;
          if (next <= p) next = p + 1;
          while (next < list.length && (time[list[next] as number] as number) <= t) next++;
          if (next < list.length && (time[list[next] as number] as number) - t <= windowMs)
            repeated[(entry[k] as number) >> 1] = 1;
        }
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
  const { params, contacts } = input;
  const { start, end } = localDayBounds(input.date, params.timezone);
  const hourOf = hourOfQuarter(start, end, params.timezone);
  const isComplaintCode = codeMatcher(params.complaint_codes);
  const isSuccessCode = codeMatcher(params.success_codes);
  const shortAbandon = params.short_abandon_seconds;
  const serviceLevel = params.service_level_seconds;
  const qaPass = params.qa_pass_score;
  const repeatedFlags = findRepeats(contacts, start, end, params.fcr_window_seconds * 1000);

  const center = new Tally();
  const queues = new Map<string, Tally>();
  const hours: (Tally | undefined)[] = new Array(24);
  const agents = new Map<string, AgentDay>();

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

  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i] as ContactRecord;
    let survey: SurveyResponse | undefined;
    let qaGroup = -1;
    if (joining) {
      const h = hashString(c.contact_id);
      const sid = surveyIndex.find(c.contact_id, h);
      if (sid >= 0) {
        surveyMatched[sid] = 1;
        survey = surveyById[sid];
      }
      qaGroup = qaIndex.find(c.contact_id, h);
      if (qaGroup >= 0) qaMatched[qaGroup] = 1;
    }
    const t = c.initiated_at;
    if (!(t >= start && t < end)) continue;

    const hourIndex = hourOf[Math.floor((t - start) / QUARTER_HOUR_MS)] as number;
    const hour = tallyIn(hours, hourIndex);
    const queue = c.queue === '' ? undefined : tallyAt(queues, c.queue);
    const agent = c.agent_id === '' ? undefined : agentDay(c.agent_id);
    if (agent && c.team_hint) {
      // The agent's latest record of the day carries its current Connect hierarchy group.
      if (t > agent.teamHintAt || (t === agent.teamHintAt && c.contact_id > agent.teamHintContact)) {
        agent.teamHint = c.team_hint;
        agent.teamHintAt = t;
        agent.teamHintContact = c.contact_id;
      }
    }

    if (c.direction === 'outbound') {
      const connected = c.outcome === 'connected' ? 1 : 0;
      const success = isSuccessCode(c.disposition) ? 1 : 0;
      addOutbound(center, connected, success);
      addOutbound(hour, connected, success);
      if (queue) addOutbound(queue, connected, success);
      if (agent) {
        addOutbound(agent.tally, connected, success);
        if (center.markAgent(agent.index, OUTBOUND)) center.outboundAgents++;
        if (hour.markAgent(agent.index, OUTBOUND)) hour.outboundAgents++;
        if (queue?.markAgent(agent.index, OUTBOUND)) queue.outboundAgents++;
      }
      cells?.outbound(c.queue, hourIndex, agent, connected, success);
    } else {
      const inbound = c.direction === 'inbound';
      const answered = c.outcome === 'answered';
      const qs = c.queue_seconds;
      // A segment with no queue never entered one: not offered (it may still be handled).
      if (queue && (answered || c.outcome === 'abandoned')) {
        if (!answered && qs < shortAbandon) {
          queue.shortAbandoned++;
          if (inbound) {
            center.shortAbandoned++;
            hour.shortAbandoned++;
          }
          cells?.shortAbandoned(c.queue, hourIndex, inbound);
        } else {
          const within = answered && qs <= serviceLevel;
          addOffered(queue, qs, answered, within);
          if (inbound) {
            addOffered(center, qs, answered, within);
            addOffered(hour, qs, answered, within);
          }
          cells?.offered(c.queue, hourIndex, inbound, qs, answered, within);
        }
      }
      if (answered) {
        const eligible = inbound && c.caller_token !== '' ? 1 : 0;
        const repeated = repeatedFlags[i] as number;
        const complaint = survey?.complaint || isComplaintCode(c.disposition) ? 1 : 0;
        addHandled(center, c, eligible, repeated, survey, complaint);
        addHandled(hour, c, eligible, repeated, survey, complaint);
        if (queue) addHandled(queue, c, eligible, repeated, survey, complaint);
        if (agent) {
          addHandled(agent.tally, c, eligible, repeated, survey, complaint);
          if (center.markAgent(agent.index, ACTIVE)) center.agentsActive++;
          if (hour.markAgent(agent.index, ACTIVE)) hour.agentsActive++;
          if (queue?.markAgent(agent.index, ACTIVE)) queue.agentsActive++;
        }
        cells?.handled(c.queue, hourIndex, agent, c, eligible, repeated, survey, complaint);
      }
    }

    if (qaGroup >= 0) {
      for (let k = qaStart[qaGroup] as number; k < (qaStart[qaGroup + 1] as number); k++) {
        const e = qa[qaOrder[k] as number] as QaEvaluation;
        addQa(center, e, qaPass);
        addQa(hour, e, qaPass);
        if (queue) addQa(queue, e, qaPass);
        // The evaluated agent is credited; the contact's agent stands in when the form omits it.
        const evaluatedId = e.agent_id || c.agent_id;
        const evaluated = evaluatedId ? agentDay(evaluatedId) : undefined;
        if (evaluated) addQa(evaluated.tally, e, qaPass);
        cells?.qa(c.queue, hourIndex, evaluated, e, qaPass);
      }
    }
  }

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
