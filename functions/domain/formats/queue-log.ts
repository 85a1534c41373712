/**
 * Asterisk queue_log (interfaces.md §2, CDR format 3): `epoch|callid|queue|agent|EVENT|data…`.
 *
 * Ingest keeps each line as an event (queueLogParser); contact segments and agent states are
 * assembled at rollup time from the events of consecutive days (assembleQueueLog), because a
 * call or a login may span files and midnight and files arrive in any order.
 *
 * Besides the events the spec names, the parser knows the rest of the documented vocabulary of
 * app_queue: BLINDTRANSFER and ATTENDEDTRANSFER (Asterisk 12+ writes them instead of TRANSFER,
 * with wait and talk at the same positions) close a segment like TRANSFER; AGENTCALLBACKLOGIN/
 * LOGOFF count as AGENTLOGIN/LOGOFF; PAUSEALL/UNPAUSEALL as PAUSE/UNPAUSE. Events that carry
 * nothing for the KPIs (QUEUESTART, CONFIGRELOAD, RINGNOANSWER, RINGCANCELED, AGENTDUMP,
 * SYSCOMPAT, PENALTY, and FULL/JOINEMPTY/JOINUNAVAIL — callers turned away before entering, so
 * never offered) are accepted without a record. Anything else is quarantined.
 */
import type { AgentStateInterval, ContactRecord, QueueLogEvent } from '../records.js';
import { DAY_MS, localDate, localDayBounds } from '../time.js';
import { redactPhoneNumbers } from './redact.js';
import { parseNonNegativeNumber } from './timestamps.js';
import type { ParserFactory } from './types.js';

const ENTERQUEUE = 'ENTERQUEUE';
const CONNECT = 'CONNECT';

/** Events that close a segment: answered or not, and the 0-based data positions of the wait and talk time. */
interface Closer {
  answered: boolean;
  wait: number;
  talk?: number;
}
const CLOSERS = new Map<string, Closer>([
  ['COMPLETEAGENT', { answered: true, wait: 0, talk: 1 }],
  ['COMPLETECALLER', { answered: true, wait: 0, talk: 1 }],
  ['TRANSFER', { answered: true, wait: 2, talk: 3 }],
  ['BLINDTRANSFER', { answered: true, wait: 2, talk: 3 }],
  ['ATTENDEDTRANSFER', { answered: true, wait: 2, talk: 3 }],
  ['ABANDON', { answered: false, wait: 2 }],
  ['EXITWITHTIMEOUT', { answered: false, wait: 2 }],
  ['EXITEMPTY', { answered: false, wait: 2 }],
  ['EXITWITHKEY', { answered: false, wait: 3 }],
]);

const LOGIN = new Set(['AGENTLOGIN', 'AGENTCALLBACKLOGIN']);
const LOGOFF = new Set(['AGENTLOGOFF', 'AGENTCALLBACKLOGOFF']);
const ADDMEMBER = 'ADDMEMBER';
const REMOVEMEMBER = 'REMOVEMEMBER';
const PAUSE = new Set(['PAUSE', 'PAUSEALL']);
const UNPAUSE = new Set(['UNPAUSE', 'UNPAUSEALL']);

const SEGMENT_EVENTS = new Set([ENTERQUEUE, CONNECT, ...CLOSERS.keys()]);
const AGENT_EVENTS = new Set([...LOGIN, ...LOGOFF, ADDMEMBER, REMOVEMEMBER, ...PAUSE, ...UNPAUSE]);
const EVENTS_WITHOUT_KPI = new Set([
  'QUEUESTART',
  'CONFIGRELOAD',
  'RINGNOANSWER',
  'RINGCANCELED',
  'AGENTDUMP',
  'SYSCOMPAT',
  'PENALTY',
  'FULL',
  'JOINEMPTY',
  'JOINUNAVAIL',
]);

/**
 * Data positions that can hold a party's number or name and that nothing downstream reads:
 * they are blanked before an event is stored. ENTERQUEUE's caller id (position 1) is kept as
 * its token in `caller_token`.
 */
const PRIVATE_DATA = new Map<string, number[]>([
  [ENTERQUEUE, [1, 3]], // callerid, calleridname
  ['TRANSFER', [0]], // extension: may be an outside number
  ['BLINDTRANSFER', [0]],
  ['ATTENDEDTRANSFER', [1]], // method-data: channel or bridge of the transfer target
  ['AGENTCALLBACKLOGIN', [0]], // exten@context: may be an outside number
  ['AGENTCALLBACKLOGOFF', [0]],
]);

/** Queue_log epochs are UTC seconds, optionally with a fraction; 9–11 digits spans 1973–5138. */
const EPOCH = /^\d{9,11}(?:\.\d+)?$/;

/** Asterisk's channel uniqueid: epoch seconds, a dot, a sequence number. */
const UNIQUEID = /^\d+\.\d+$/;

function storedData(event: string, data: string[]): string[] {
  const hidden = PRIVATE_DATA.get(event);
  return hidden === undefined ? data : data.map((d, i) => (hidden.includes(i) ? '' : d));
}

function epochMs(epoch: string): number {
  return Math.round(Number(epoch) * 1000);
}

/** Why a line cannot be used, if it cannot. */
function lineProblem(fields: string[], latest: number): string | undefined {
  const [epoch = '', , , , event = ''] = fields;
  if (fields.length < 5) return 'too few fields: expected epoch|callid|queue|agent|EVENT';
  if (!SEGMENT_EVENTS.has(event) && !AGENT_EVENTS.has(event) && !EVENTS_WITHOUT_KPI.has(event)) {
    return `unknown event: ${event}`;
  }
  if (!EPOCH.test(epoch)) return 'unparseable epoch';
  if (epochMs(epoch) > latest) return 'timestamp more than one day in the future';
  return undefined;
}

export const queueLogParser: ParserFactory = (ctx, sink) => {
  const latest = ctx.now + DAY_MS;
  let lineNumber = 0;
  let carried = '';

  /**
   * A quarantined line, with private data positions blanked and anything number-like tokenised
   * except a well-formed epoch and callid (their digits are times, not phone numbers). The reason
   * may quote a field, so it is redacted too.
   */
  const quarantine = (reason: string, fields: string[]): void => {
    const [epoch = '', callid = '', queue = '', agent = '', event = ''] = fields;
    const safe = (text: string) => redactPhoneNumbers(text, ctx);
    const row = [
      EPOCH.test(epoch) ? epoch : safe(epoch),
      UNIQUEID.test(callid) ? callid : safe(callid),
      ...[queue, agent, event, ...storedData(event, fields.slice(5))].map(safe),
    ].slice(0, fields.length);
    sink.quarantine(lineNumber, safe(reason), row.join('|'));
  };

  const onLine = (raw: string): void => {
    lineNumber++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNumber === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.trim() === '') return;

    const fields = line.split('|');
    const problem = lineProblem(fields, latest);
    if (problem !== undefined) {
      quarantine(problem, fields);
      return;
    }
    const [epoch = '', callid = '', queue = '', agent = '', event = ''] = fields;
    if (EVENTS_WITHOUT_KPI.has(event)) {
      sink.acceptWithoutRecord(lineNumber);
      return;
    }
    const rawData = fields.slice(5);
    const data = storedData(event, rawData);
    const record: QueueLogEvent = { at: epochMs(epoch), callid, queue, agent, event, data };
    if (event === ENTERQUEUE) record.caller_token = ctx.tokenizeCaller(rawData[1] ?? '');
    // The stored line (identical to the input unless private data was blanked): no raw number in the key either.
    sink.accept('queue_events', record, lineNumber, [epoch, callid, queue, agent, event, ...data].join('|'));
  };

  return {
    write(text) {
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        onLine(carried + text.slice(start, nl));
        carried = '';
        start = nl + 1;
      }
      carried += text.slice(start);
    },
    end() {
      if (carried !== '') onLine(carried);
      carried = '';
    },
  };
};

export interface QueueLogAssembly {
  contacts: ContactRecord[];
  agentStates: AgentStateInterval[];
}

/** Sort rank within one instant; only a tie-break, the replay below decides what fits. */
function rank(event: string): number {
  if (event === ENTERQUEUE) return 0;
  if (event === CONNECT) return 1;
  return SEGMENT_EVENTS.has(event) ? 2 : 3;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareData(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

/** A total order on events: 0 only for identical events, so the result never depends on input order. */
function compareEvents(a: QueueLogEvent, b: QueueLogEvent): number {
  return (
    a.at - b.at ||
    rank(a.event) - rank(b.event) ||
    compareText(a.callid, b.callid) ||
    compareText(a.queue, b.queue) ||
    compareText(a.agent, b.agent) ||
    compareText(a.event, b.event) ||
    compareData(a.data, b.data) ||
    compareText(a.caller_token ?? '', b.caller_token ?? '')
  );
}

/** Sorted, with repeats (the same line in a re-delivered or overlapping file) removed. */
function sortedUnique(events: QueueLogEvent[]): QueueLogEvent[] {
  events.sort(compareEvents);
  return events.filter((e, i) => i === 0 || compareEvents(events[i - 1] as QueueLogEvent, e) !== 0);
}

/** A state machine fed one event at a time. */
interface Replay {
  fits(e: QueueLogEvent): boolean;
  apply(e: QueueLogEvent): void;
  /** Among events that fit at one instant, these go first. */
  preferred(e: QueueLogEvent): boolean;
}

/**
 * Applies the events of one instant. queue_log times are whole seconds, so the events of an
 * instant are a set, not a sequence (a TRANSFER and the next ENTERQUEUE, an ENTERQUEUE and its
 * ABANDON): the first event that fits the current state is applied — preferred ones first,
 * then in sort order — until none fits. Takes `left` over and returns what never fitted.
 */
function settleInstant(left: QueueLogEvent[], replay: Replay): QueueLogEvent[] {
  for (;;) {
    let i = left.findIndex((e) => replay.preferred(e) && replay.fits(e));
    if (i < 0) i = left.findIndex((e) => replay.fits(e));
    const next = left[i];
    if (next === undefined) return left;
    left.splice(i, 1);
    replay.apply(next);
  }
}

/** Feeds sorted events instant by instant, handing what never fitted at an instant to `onLeftover`. */
function replayAll(
  events: readonly QueueLogEvent[],
  replay: Replay,
  onLeftover?: (left: QueueLogEvent[]) => void,
): void {
  for (let i = 0; i < events.length; ) {
    let j = i + 1;
    while (j < events.length && events[j]?.at === events[i]?.at) j++;
    const left = settleInstant(events.slice(i, j), replay);
    if (left.length > 0) onLeftover?.(left);
    i = j;
  }
}

function secondsAt(event: QueueLogEvent | undefined, position: number | undefined): number | undefined {
  if (event === undefined || position === undefined) return undefined;
  const value = parseNonNegativeNumber(event.data[position] ?? '');
  return typeof value === 'number' ? value : undefined;
}

function elapsedSeconds(from: number, to: number): number {
  return Math.max(0, (to - from) / 1000);
}

interface OpenSegment {
  enter: QueueLogEvent;
  /** 1 for the call's first ENTERQUEUE, 2 for the next, … */
  ordinal: number;
  callerToken: string;
  connect?: QueueLogEvent;
}

/**
 * The contact of a segment, closed by `close` or still open at the end of the events. An open
 * segment that was answered is a contact already (offered, answered, its wait and ring known):
 * it is emitted with the talk time unknown (0) and last_updated_at at the answer, and the
 * completed version replaces it once the file with its end arrives. One never answered is
 * still waiting: undefined.
 */
function segmentContact(
  callid: string,
  segment: OpenSegment,
  center: string,
  close: QueueLogEvent | undefined,
): ContactRecord | undefined {
  const { enter, connect, ordinal } = segment;
  const closer = close === undefined ? undefined : CLOSERS.get(close.event);
  const answer = connect ?? (closer?.answered ? close : undefined);
  const end = close ?? answer;
  if (end === undefined) return undefined;

  // Durations as written; where a position is missing or unreadable, the time between the events.
  const queueSeconds =
    secondsAt(close, closer?.wait) ?? secondsAt(connect, 0) ?? elapsedSeconds(enter.at, (answer ?? end).at);
  const talkSeconds =
    answer === undefined || close === undefined
      ? 0
      : (secondsAt(close, closer?.talk) ?? elapsedSeconds(answer.at, close.at));
  return {
    contact_id: ordinal === 1 ? callid : `${callid}#${ordinal}`,
    direction: ordinal === 1 ? 'inbound' : 'transfer',
    channel: 'voice',
    center,
    queue: enter.queue,
    agent_id: answer?.agent ?? '',
    caller_token: segment.callerToken,
    initiated_at: enter.at,
    queue_seconds: queueSeconds,
    ring_seconds: secondsAt(connect, 2) ?? 0,
    talk_seconds: talkSeconds,
    hold_seconds: 0,
    acw_seconds: 0,
    outcome: answer === undefined ? 'abandoned' : 'answered',
    disposition: '',
    last_updated_at: end.at,
  };
}

/** The segments of one call (one callid). */
class CallReplay implements Replay {
  readonly contacts: ContactRecord[] = [];
  private open: OpenSegment | undefined;
  private entered = 0;
  private firstCallerToken = '';

  constructor(
    private readonly callid: string,
    private readonly center: string,
  ) {}

  fits(e: QueueLogEvent): boolean {
    if (e.event === ENTERQUEUE) return this.open === undefined;
    if (e.event === CONNECT) return this.open !== undefined && this.open.connect === undefined;
    // An answered segment is never closed as unanswered: such an ABANDON belongs to a later segment.
    return (
      this.open !== undefined && (this.open.connect === undefined || CLOSERS.get(e.event)?.answered === true)
    );
  }

  apply(e: QueueLogEvent): void {
    if (e.event === ENTERQUEUE) {
      this.entered++;
      const token = e.caller_token ?? '';
      if (this.firstCallerToken === '') this.firstCallerToken = token;
      // A transfer's ENTERQUEUE may lack the caller id; the customer is still the first segment's.
      this.open = { enter: e, ordinal: this.entered, callerToken: token || this.firstCallerToken };
    } else if (e.event === CONNECT) {
      if (this.open !== undefined) this.open.connect = e;
    } else {
      this.finish(e);
    }
  }

  /** An answer or close for the open segment's queue goes before one for another queue. */
  preferred(e: QueueLogEvent): boolean {
    return e.event !== ENTERQUEUE && e.queue === this.open?.enter.queue;
  }

  /**
   * Events that never fitted at an instant. An ENTERQUEUE while a segment is open means the
   * open one's end was never logged (a lost line, a restart): it is finished as if still open
   * at the end of the data, and the new one opens. A CONNECT or close with no segment open
   * belongs to a segment that entered before these events: not ours to emit.
   */
  leftover(left: QueueLogEvent[]): void {
    let rest = left;
    while (rest.some((e) => e.event === ENTERQUEUE)) {
      this.finish();
      rest = settleInstant(rest, this);
    }
  }

  finish(close?: QueueLogEvent): void {
    if (this.open === undefined) return;
    const contact = segmentContact(this.callid, this.open, this.center, close);
    if (contact !== undefined) this.contacts.push(contact);
    this.open = undefined;
  }
}

interface Span {
  start: number;
  end: number;
}

/**
 * Spans during which at least one key is active: `starts` events activate `keyOf(event)`,
 * `ends` deactivate it.
 */
class SpanReplay implements Replay {
  readonly spans: Span[] = [];
  private readonly active = new Set<string>();
  private since = 0;

  constructor(
    private readonly starts: ReadonlySet<string>,
    private readonly ends: ReadonlySet<string>,
    private readonly keyOf: (e: QueueLogEvent) => string,
  ) {}

  relevant(e: QueueLogEvent): boolean {
    return this.starts.has(e.event) || this.ends.has(e.event);
  }

  fits(e: QueueLogEvent): boolean {
    return this.starts.has(e.event) !== this.active.has(this.keyOf(e));
  }

  apply(e: QueueLogEvent): void {
    if (this.starts.has(e.event)) {
      if (this.active.size === 0) this.since = e.at;
      this.active.add(this.keyOf(e));
    } else {
      this.active.delete(this.keyOf(e));
      if (this.active.size === 0) this.spans.push({ start: this.since, end: e.at });
    }
  }

  preferred(): boolean {
    return false;
  }

  /** A span still active after the last event ends at `until`. */
  close(until: number): Span[] {
    if (this.active.size > 0) this.spans.push({ start: this.since, end: until });
    return this.spans;
  }
}

function spansOf(
  events: readonly QueueLogEvent[],
  until: number,
  starts: ReadonlySet<string>,
  ends: ReadonlySet<string>,
  keyOf: (e: QueueLogEvent) => string = () => '',
): Span[] {
  const replay = new SpanReplay(starts, ends, keyOf);
  replayAll(
    events.filter((e) => replay.relevant(e)),
    replay,
  );
  return replay.close(until);
}

/** Sorted, disjoint, non-empty spans covering the same time. */
function normalise(spans: Span[]): Span[] {
  const merged: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.end <= s.start) continue;
    const last = merged[merged.length - 1];
    if (last !== undefined && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/** Intersection of two normalised span lists. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Span;
    const y = b[j] as Span;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

function splitByLocalDay(span: Span, timeZone: string): Span[] {
  const pieces: Span[] = [];
  for (let start = span.start; start < span.end; ) {
    const end = Math.min(span.end, localDayBounds(localDate(start, timeZone), timeZone).end);
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}

/**
 * Staffed and break spans of one agent. Staffed: AGENTLOGIN to AGENTLOGOFF; for an agent with
 * neither in these events, while a member of at least one queue (ADDMEMBER to REMOVEMEMBER, per
 * queue, so leaving one of two queues does not end the shift). Break: PAUSE to UNPAUSE in any
 * queue. Breaks count only within staffed time, so staffed − break never goes negative. A state
 * still open after the agent's last event ends at that event: the agent was seen until then,
 * and a later file with the logoff extends it.
 */
function agentSpans(
  events: readonly QueueLogEvent[],
  lastSeen: number,
): { staffed: Span[]; onBreak: Span[] } {
  const usesLogin = events.some((e) => LOGIN.has(e.event) || LOGOFF.has(e.event));
  const staffed = normalise(
    usesLogin
      ? spansOf(events, lastSeen, LOGIN, LOGOFF)
      : spansOf(events, lastSeen, new Set([ADDMEMBER]), new Set([REMOVEMEMBER]), (e) => e.queue),
  );
  const onBreak = intersect(normalise(spansOf(events, lastSeen, PAUSE, UNPAUSE)), staffed);
  return { staffed, onBreak };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Contact segments and agent states from queue_log events (interfaces.md §2, CDR format 3).
 * Pure and independent of input order and of repeated events (a re-delivered file): events are
 * de-duplicated and totally ordered first. Pass the events of the day before the days of
 * interest too, so a call's numbering (`#2` …) and a shift that started then are complete;
 * segments still waiting at the end are left out until a later file closes them.
 */
export function assembleQueueLog(
  events: readonly QueueLogEvent[],
  opts: { center: string; timezone: string },
): QueueLogAssembly {
  // Grouped first, so each sort is of one call's or one agent's few events.
  const calls = new Map<string, QueueLogEvent[]>();
  const agents = new Map<string, QueueLogEvent[]>();
  const lastSeen = new Map<string, number>();
  for (const e of events) {
    if (SEGMENT_EVENTS.has(e.event)) push(calls, e.callid, e);
    else if (AGENT_EVENTS.has(e.event)) push(agents, e.agent, e);
    if (e.at > (lastSeen.get(e.agent) ?? Number.NEGATIVE_INFINITY)) lastSeen.set(e.agent, e.at);
  }

  const contacts: ContactRecord[] = [];
  for (const [callid, callEvents] of calls) {
    const replay = new CallReplay(callid, opts.center);
    replayAll(sortedUnique(callEvents), replay, (left) => replay.leftover(left));
    replay.finish();
    for (const c of replay.contacts) contacts.push(c);
  }
  contacts.sort((a, b) => a.initiated_at - b.initiated_at || compareText(a.contact_id, b.contact_id));

  const agentStates: AgentStateInterval[] = [];
  for (const [agentId, agentEvents] of agents) {
    const { staffed, onBreak } = agentSpans(sortedUnique(agentEvents), lastSeen.get(agentId) ?? 0);
    for (const [state, spans] of [
      ['staffed', staffed],
      ['break', onBreak],
    ] as const) {
      for (const span of spans) {
        for (const piece of splitByLocalDay(span, opts.timezone)) {
          agentStates.push({ agent_id: agentId, state, ...piece });
        }
      }
    }
  }
  // Staffed before break at the same start.
  agentStates.sort(
    (a, b) => compareText(a.agent_id, b.agent_id) || a.start - b.start || compareText(b.state, a.state),
  );
  return { contacts, agentStates };
}
