/**
 * A reference implementation of the KPI catalog (/work/shared/spec/kpis.md), written only from
 * the spec and the input formats of interfaces.md §2, to check what the product publishes.
 *
 * It deliberately imports nothing from the product: it reads the exported files' text itself
 * (gzip through node:zlib, its own small CSV / contact-record / queue_log readers for the
 * fields the demo writes), does its own time-zone arithmetic with Intl, and computes every
 * metric with plain loops and filters, one scope item at a time. Clarity over speed: it is
 * meant to be read next to kpis.md.
 *
 * Readers throw on anything they do not understand (an unknown queue_log event, an unknown
 * direction, a segment left open) rather than guess, so a format the reference does not
 * cover cannot pass silently.
 *
 * Where kpis.md leaves a choice, the reading taken here (the one a manager would expect):
 * - occupancy counts, on both sides, only the scope's agents that have agent-state data that
 *   day: handle time of an agent with no staffed time is not set against anyone's staffed time
 *   (this is also what GET /v1/definitions publishes for `occupancy`, `staffed_seconds` and
 *   `handle_seconds`, the two volumes occupancy is computed on, which kpis.md does not name;
 *   both are null where no agent of the scope has agent-state data);
 * - staffed time is the time covered by a `staffed` interval and by no `break` interval, so
 *   overlapping intervals of one agent count once;
 * - an outbound attempt with no agent (an API call that failed) counts at centre, queue and
 *   hour scope but at no team or agent, and is no agent for `outbound_agents`;
 * - the Connect hierarchy fallback for a team takes the agent's last record of the day when
 *   its records name different groups (the demo's never do).
 */
import { gunzipSync } from 'node:zlib';

export interface ExportFile {
  key: string;
  body: string | Buffer;
}

/* ------------------------------------------------------------------------------------------ */
/* Time zones (kpis.md §1 "Business day"), Intl only                                           */
/* ------------------------------------------------------------------------------------------ */

const formatters = new Map<string, Intl.DateTimeFormat>();

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of instant `ms` in `tz`. */
function wallClock(ms: number, tz: string): Wall {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local date YYYY-MM-DD and hour '00'–'23' of an instant. */
export function localDateHour(ms: number, tz: string): { date: string; hour: string } {
  const w = wallClock(ms, tz);
  return { date: `${w.year}-${two(w.month)}-${two(w.day)}`, hour: two(w.hour) };
}

/** Offset local − UTC (ms) at instant `ms`. */
function offsetAt(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** UTC instant of a local wall-clock time (the demo writes no times inside a DST gap or overlap). */
function localToUtc(w: Wall, tz: string): number {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const first = naive - offsetAt(naive, tz);
  return naive - offsetAt(first, tz);
}

/** [start, end) of a local day as UTC instants (23 or 25 hours on DST days). */
export function dayBounds(date: string, tz: string): { start: number; end: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const start = localToUtc({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0 }, tz);
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const end = localToUtc(
    {
      year: next.getUTCFullYear(),
      month: next.getUTCMonth() + 1,
      day: next.getUTCDate(),
      hour: 0,
      minute: 0,
      second: 0,
    },
    tz,
  );
  return { start, end };
}

/** A CSV timestamp: ISO with an offset or Z is an instant; without one it is local time in `tz`. */
function parseTimestamp(text: string, tz: string): number {
  const t = text.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw new Error(`bad timestamp ${t}`);
    return ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (!m) throw new Error(`bad timestamp ${t}`);
  const [, y, mo, d, h, mi, s] = m;
  return localToUtc(
    {
      year: +(y ?? 0),
      month: +(mo ?? 0),
      day: +(d ?? 0),
      hour: +(h ?? 0),
      minute: +(mi ?? 0),
      second: +(s ?? 0),
    },
    tz,
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Centre parameters (kpis.md §4)                                                              */
/* ------------------------------------------------------------------------------------------ */

export interface RefParams {
  timezone: string;
  short_abandon_seconds: number;
  service_level_seconds: number;
  ring_cycle_seconds: number;
  fcr_window_seconds: number;
  qa_pass_score: number;
  complaint_codes: string[];
  success_codes: string[];
  default_country_code: string | null;
}

function paramsOf(config: Record<string, unknown>): RefParams {
  const p = (config.parameters ?? {}) as Record<string, unknown>;
  const num = (name: string, dflt: number) => (typeof p[name] === 'number' ? (p[name] as number) : dflt);
  return {
    timezone: typeof config.timezone === 'string' ? config.timezone : 'UTC',
    short_abandon_seconds: num('short_abandon_seconds', 5),
    // "Choosing gartner also sets service_level_seconds to 15" (kpis.md §5).
    service_level_seconds: num('service_level_seconds', config.preset === 'gartner' ? 15 : 20),
    ring_cycle_seconds: num('ring_cycle_seconds', 6),
    fcr_window_seconds: num('fcr_window_seconds', 7200),
    qa_pass_score: num('qa_pass_score', 80),
    complaint_codes: (config.complaint_codes as string[] | undefined) ?? ['complaint'],
    success_codes: (config.success_codes as string[] | undefined) ?? ['success', 'sale'],
    default_country_code: typeof p.default_country_code === 'string' ? p.default_country_code : null,
  };
}

/**
 * kpis.md §1 "Callers": the normalised E.164 number. The product stores a keyed hash of it;
 * FCR only needs equality, so the normalised number itself serves as the token here.
 */
function callerToken(raw: string | null | undefined, countryCode: string | null): string {
  const t = (raw ?? '').trim();
  if (t === '' || /^(anonymous|unknown|restricted|withheld)$/i.test(t)) return '';
  let n = t.replace(/[\s\-.()]/g, '');
  const plus = n.startsWith('+');
  n = n.replace(/\D/g, '');
  if (plus) return `+${n}`;
  if (n.startsWith('00')) return `+${n.slice(2)}`;
  if (countryCode) return `+${countryCode}${n.startsWith('0') ? n.slice(1) : n}`;
  return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                     */
/* ------------------------------------------------------------------------------------------ */

export interface RefContact {
  contactId: string;
  direction: 'inbound' | 'transfer' | 'outbound';
  queue: string;
  agent: string;
  caller: string;
  initiatedAt: number;
  queueSeconds: number;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  acwSeconds: number;
  outcome: 'answered' | 'abandoned' | 'connected' | 'no_answer' | 'busy' | 'failed';
  disposition: string;
  lastUpdatedAt: number;
  /** Amazon Connect: name of the deepest Agent.HierarchyGroups level (team fallback). */
  hierarchyTeam: string;
  key: string;
  line: number;
}

interface RefSurvey {
  contactId: string;
  respondedAt: number;
  score: number;
  complaint: boolean;
  key: string;
  line: number;
}

interface RefQa {
  evaluationId: string;
  contactId: string;
  agent: string;
  evaluatedAt: number;
  score: number;
  fatal: boolean;
  key: string;
  line: number;
}

interface RefRosterRow {
  agent: string;
  team: string;
  /** '' = applies to all days. */
  effectiveFrom: string;
}

interface RefState {
  agent: string;
  state: 'staffed' | 'break';
  start: number;
  end: number;
}

export interface RefInput {
  center: string;
  params: RefParams;
  contacts: RefContact[];
  surveys: RefSurvey[];
  qa: RefQa[];
  roster: RefRosterRow[];
  states: RefState[];
  /** CDR format of each CDR object, as this reference read it. */
  cdrFormats: Map<string, 'csv' | 'connect' | 'queue_log'>;
}

/* ------------------------------------------------------------------------------------------ */
/* Readers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

function textOf(body: string | Buffer): string {
  let buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** RFC 4180 CSV: header + rows as objects (delimiter guessed from the header), with 1-based data line numbers. */
function readCsv(text: string): Array<{ row: Record<string, string>; line: number }> {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].sort((a, b) => firstLine.split(b).length - firstLine.split(a).length)[0];
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      field = '';
      record = [];
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  const names = header.map((h) => h.trim().toLowerCase());
  const out: Array<{ row: Record<string, string>; line: number }> = [];
  rows.forEach((cells, i) => {
    if (cells.length === 1 && (cells[0] ?? '').trim() === '') return;
    const row: Record<string, string> = {};
    names.forEach((n, j) => {
      row[n] = (cells[j] ?? '').trim();
    });
    out.push({ row, line: i + 1 });
  });
  return out;
}

function bool(text: string | undefined): boolean {
  return /^(true|1|yes)$/i.test((text ?? '').trim());
}

function seconds(text: string | undefined, what: string): number {
  const t = (text ?? '').trim();
  const n = t === '' ? 0 : Number(t);
  if (!Number.isFinite(n) || n < 0) throw new Error(`bad ${what}: ${text}`);
  return n;
}

/** Canonical CSV (interfaces.md §2.1). */
function readCanonicalCsv(key: string, text: string, p: RefParams): RefContact[] {
  return readCsv(text).map(({ row, line }) => {
    const direction = row.direction || 'inbound';
    if (direction !== 'inbound' && direction !== 'transfer' && direction !== 'outbound')
      throw new Error(`${key}:${line}: direction ${direction}`);
    const initiatedAt = parseTimestamp(row.initiated_at ?? '', p.timezone);
    return {
      contactId: row.contact_id ?? '',
      direction,
      queue: row.queue ?? '',
      agent: row.agent_id ?? '',
      caller: callerToken(row.caller, p.default_country_code),
      initiatedAt,
      queueSeconds: seconds(row.queue_seconds, 'queue_seconds'),
      ringSeconds: seconds(row.ring_seconds, 'ring_seconds'),
      talkSeconds: seconds(row.talk_seconds, 'talk_seconds'),
      holdSeconds: seconds(row.hold_seconds, 'hold_seconds'),
      acwSeconds: seconds(row.acw_seconds, 'acw_seconds'),
      outcome: row.outcome as RefContact['outcome'],
      disposition: row.disposition ?? '',
      lastUpdatedAt: row.last_updated_at ? parseTimestamp(row.last_updated_at, p.timezone) : initiatedAt,
      hierarchyTeam: '',
      key,
      line,
    };
  });
}

/** Amazon Connect contact records, one JSON object per line or concatenated (interfaces.md §2.2). */
function readConnect(key: string, text: string, p: RefParams): RefContact[] {
  // Split concatenated objects by brace depth (strings may contain braces).
  const objects: string[] = [];
  let depth = 0;
  let inString = false;
  let begin = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) begin = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) objects.push(text.slice(begin, i + 1));
    }
  }
  type Ctr = {
    ContactId: string;
    InitiationMethod: string;
    InitiationTimestamp: string;
    LastUpdateTimestamp: string;
    DisconnectReason?: string | null;
    CustomerEndpoint?: { Address?: string } | null;
    Queue?: {
      Name?: string;
      Duration?: number;
      EnqueueTimestamp?: string;
      DequeueTimestamp?: string;
    } | null;
    Agent?: {
      Username?: string;
      ConnectedToAgentTimestamp?: string | null;
      AgentInteractionDuration?: number;
      CustomerHoldDuration?: number;
      AfterContactWorkDuration?: number;
      HierarchyGroups?: Record<string, { GroupName?: string } | null> | null;
    } | null;
    Attributes?: Record<string, string> | null;
  };
  return objects.map((json, i) => {
    const r = JSON.parse(json) as Ctr;
    const method = r.InitiationMethod;
    const direction =
      method === 'INBOUND' || method === 'CALLBACK'
        ? 'inbound'
        : method === 'TRANSFER' || method === 'QUEUE_TRANSFER'
          ? 'transfer'
          : method === 'OUTBOUND' || method === 'API'
            ? 'outbound'
            : null;
    if (!direction) throw new Error(`${key}: InitiationMethod ${method}`);
    const agent = r.Agent ?? null;
    const connectedAt = agent?.ConnectedToAgentTimestamp ? Date.parse(agent.ConnectedToAgentTimestamp) : null;
    const dequeuedAt = r.Queue?.DequeueTimestamp ? Date.parse(r.Queue.DequeueTimestamp) : null;
    let outcome: RefContact['outcome'];
    if (direction === 'outbound')
      outcome =
        (agent?.AgentInteractionDuration ?? 0) > 0
          ? 'connected'
          : r.DisconnectReason === 'TELECOM_PROBLEM'
            ? 'failed'
            : 'no_answer';
    else outcome = connectedAt === null ? 'abandoned' : 'answered';
    let hierarchyTeam = '';
    for (const level of ['Level1', 'Level2', 'Level3', 'Level4', 'Level5']) {
      const name = agent?.HierarchyGroups?.[level]?.GroupName;
      if (name) hierarchyTeam = name;
    }
    return {
      contactId: r.ContactId,
      direction,
      queue: r.Queue?.Name ?? '',
      agent: connectedAt === null && direction !== 'outbound' ? '' : (agent?.Username ?? ''),
      caller: callerToken(r.CustomerEndpoint?.Address, p.default_country_code),
      initiatedAt: Date.parse(r.InitiationTimestamp),
      queueSeconds: r.Queue?.Duration ?? 0,
      ringSeconds: connectedAt !== null && dequeuedAt !== null ? (connectedAt - dequeuedAt) / 1000 : 0,
      talkSeconds: agent?.AgentInteractionDuration ?? 0,
      holdSeconds: agent?.CustomerHoldDuration ?? 0,
      acwSeconds: agent?.AfterContactWorkDuration ?? 0,
      outcome,
      disposition: r.Attributes?.disposition ?? '',
      lastUpdatedAt: Date.parse(r.LastUpdateTimestamp),
      hierarchyTeam,
      key,
      line: i + 1,
    };
  });
}

/**
 * Asterisk queue_log (interfaces.md §2.3), for the events the demo writes and their siblings:
 * lines grouped by callid in file order; ENTERQUEUE opens a segment, CONNECT answers it, a
 * COMPLETEAGENT, COMPLETECALLER, TRANSFER, ABANDON or an EXIT… closes it; a callid entering again opens `{callid}#2`, ….
 * Hold and wrap-up are 0. No agent-state events (AGENTLOGIN, PAUSE, …) are read: the demo and
 * the test's supplement write none, and any unknown event throws.
 */
function readQueueLog(key: string, text: string, p: RefParams): RefContact[] {
  interface Open {
    c: RefContact;
    connected: boolean;
  }
  const open = new Map<string, Open>();
  const segments = new Map<string, number>();
  const out: RefContact[] = [];
  const lines = text.split(/\r?\n/);
  const close = (callid: string, wait: number, talk: number, line: number, epoch: number) => {
    const o = open.get(callid);
    if (!o) throw new Error(`${key}:${line}: ${callid} closed but not open`);
    o.c.queueSeconds = wait;
    o.c.talkSeconds = talk;
    o.c.outcome = o.connected ? 'answered' : 'abandoned';
    if (!o.connected) o.c.agent = '';
    o.c.lastUpdatedAt = epoch * 1000;
    out.push(o.c);
    open.delete(callid);
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const [epochText, callid = '', queue = '', agent = '', event = '', ...data] = raw.split('|');
    const epoch = Number(epochText);
    const d = (n: number) => data[n - 1] ?? '';
    switch (event) {
      case 'ENTERQUEUE': {
        if (open.has(callid)) throw new Error(`${key}:${line}: ${callid} entered twice`);
        const n = (segments.get(callid) ?? 0) + 1;
        segments.set(callid, n);
        open.set(callid, {
          connected: false,
          c: {
            contactId: n === 1 ? callid : `${callid}#${n}`,
            direction: n === 1 ? 'inbound' : 'transfer',
            queue,
            agent: '',
            caller: callerToken(d(2), p.default_country_code),
            initiatedAt: epoch * 1000,
            queueSeconds: 0,
            ringSeconds: 0,
            talkSeconds: 0,
            holdSeconds: 0,
            acwSeconds: 0,
            outcome: 'abandoned',
            disposition: '',
            lastUpdatedAt: epoch * 1000,
            hierarchyTeam: '',
            key,
            line,
          },
        });
        return;
      }
      case 'CONNECT': {
        const o = open.get(callid);
        if (!o) throw new Error(`${key}:${line}: CONNECT of ${callid} not in a queue`);
        o.connected = true;
        o.c.agent = agent;
        o.c.queueSeconds = seconds(d(1), 'wait');
        o.c.ringSeconds = seconds(d(3), 'ring');
        return;
      }
      case 'COMPLETEAGENT':
      case 'COMPLETECALLER':
        close(callid, seconds(d(1), 'wait'), seconds(d(2), 'talk'), line, epoch);
        return;
      case 'TRANSFER':
        close(callid, seconds(d(3), 'wait'), seconds(d(4), 'talk'), line, epoch);
        return;
      case 'ABANDON':
      case 'EXITWITHTIMEOUT':
      case 'EXITEMPTY':
        close(callid, seconds(d(3), 'wait'), 0, line, epoch);
        return;
      case 'EXITWITHKEY':
        close(callid, seconds(d(4), 'wait'), 0, line, epoch);
        return;
      // Other members that did not pick up, and lines that carry nothing for the KPIs.
      case 'RINGNOANSWER':
      case 'QUEUESTART':
      case 'CONFIGRELOAD':
        return;
      default:
        throw new Error(`${key}:${line}: the reference does not read queue_log event ${event}`);
    }
  });
  if (open.size > 0) throw new Error(`${key}: ${open.size} segment(s) left open`);
  return out;
}

/** Keep one record per id: the greatest version wins; ties: greater object key, then later line. */
function latestBy<T extends { key: string; line: number }>(
  records: T[],
  id: (r: T) => string,
  version: (r: T) => number,
): T[] {
  const best = new Map<string, T>();
  for (const r of records) {
    const b = best.get(id(r));
    if (
      !b ||
      version(r) > version(b) ||
      (version(r) === version(b) && (r.key > b.key || (r.key === b.key && r.line > b.line)))
    )
      best.set(id(r), r);
  }
  return [...best.values()];
}

/** Read every exported file (interfaces.md §1 key prefixes). The config is read first. */
export function readExports(files: ExportFile[]): RefInput {
  const configFile = files.find((f) => f.key.startsWith('config/centers/'));
  if (!configFile) throw new Error('no centre config');
  const center = configFile.key.slice('config/centers/'.length).replace(/\.json$/, '');
  const params = paramsOf(JSON.parse(textOf(configFile.body)) as Record<string, unknown>);
  const tz = params.timezone;
  const contacts: RefContact[] = [];
  const surveys: RefSurvey[] = [];
  const qa: RefQa[] = [];
  const roster: RefRosterRow[] = [];
  const states: RefState[] = [];
  const cdrFormats = new Map<string, 'csv' | 'connect' | 'queue_log'>();
  for (const f of files) {
    const [kind, fileCenter] = f.key.split('/');
    if (kind === 'config') continue;
    if (fileCenter !== center) throw new Error(`${f.key}: another centre`);
    const text = textOf(f.body);
    if (kind === 'cdr') {
      const start = text.trimStart();
      if (start.startsWith('{')) {
        cdrFormats.set(f.key, 'connect');
        contacts.push(...readConnect(f.key, text, params));
      } else if (/^\d+(\.\d+)?\|/.test(start)) {
        cdrFormats.set(f.key, 'queue_log');
        contacts.push(...readQueueLog(f.key, text, params));
      } else {
        cdrFormats.set(f.key, 'csv');
        contacts.push(...readCanonicalCsv(f.key, text, params));
      }
    } else if (kind === 'survey') {
      for (const { row, line } of readCsv(text))
        surveys.push({
          contactId: row.contact_id ?? '',
          respondedAt: parseTimestamp(row.responded_at ?? '', tz),
          score: Number(row.score),
          complaint: bool(row.complaint),
          key: f.key,
          line,
        });
    } else if (kind === 'qa') {
      for (const { row, line } of readCsv(text))
        qa.push({
          evaluationId: row.evaluation_id ?? '',
          contactId: row.contact_id ?? '',
          agent: row.agent_id ?? '',
          evaluatedAt: parseTimestamp(row.evaluated_at ?? '', tz),
          score: Number(row.score),
          fatal: bool(row.fatal),
          key: f.key,
          line,
        });
    } else if (kind === 'roster') {
      for (const { row } of readCsv(text))
        roster.push({
          agent: row.agent_id ?? '',
          team: row.team ?? '',
          effectiveFrom: row.effective_from ?? '',
        });
    } else if (kind === 'agent-states') {
      for (const { row } of readCsv(text)) {
        if (row.state !== 'staffed' && row.state !== 'break') throw new Error(`${f.key}: state ${row.state}`);
        states.push({
          agent: row.agent_id ?? '',
          state: row.state,
          start: parseTimestamp(row.start ?? '', tz),
          end: parseTimestamp(row.end ?? '', tz),
        });
      }
    } else throw new Error(`${f.key}: unknown kind`);
  }
  return {
    center,
    params,
    contacts: latestBy(
      contacts,
      (c) => c.contactId,
      (c) => c.lastUpdatedAt,
    ),
    surveys: latestBy(
      surveys,
      (s) => s.contactId,
      (s) => s.respondedAt,
    ),
    qa: latestBy(
      qa,
      (e) => e.evaluationId,
      (e) => e.evaluatedAt,
    ),
    roster,
    states,
    cdrFormats,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* KPIs of one day (kpis.md §2, §3)                                                            */
/* ------------------------------------------------------------------------------------------ */

export type Scope = 'center' | 'queue' | 'team' | 'agent' | 'hour';
export const SCOPES: Scope[] = ['center', 'queue', 'team', 'agent', 'hour'];

/** Which scopes each metric exists at (kpis.md §2 and the notes of §3). */
const QUEUE_SIDE = [
  'offered',
  'answered',
  'abandoned',
  'short_abandoned',
  'answer_rate',
  'abandon_rate',
  'service_level',
  'asa_seconds',
  'avg_queue_seconds',
];
/** occupancy and the two volumes it is computed on (the record "carries the volume", §3 end). */
const STAFFED = ['staffed_seconds', 'handle_seconds', 'occupancy'];

export function metricExists(metric: string, scope: Scope): boolean {
  if (QUEUE_SIDE.includes(metric)) return scope === 'center' || scope === 'queue' || scope === 'hour';
  if (STAFFED.includes(metric)) return scope === 'center' || scope === 'team' || scope === 'agent';
  if (metric === 'unmatched_surveys') return scope === 'center';
  return true;
}

export interface RefItem {
  scope: Scope;
  id: string;
  metrics: Record<string, number | null>;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

/** Length of the overlap of [a, b) with [lo, hi), ms. */
const overlap = (a: number, b: number, lo: number, hi: number) =>
  Math.max(0, Math.min(b, hi) - Math.max(a, lo));

export function referenceKpis(input: RefInput, date: string): RefItem[] {
  const p = input.params;
  const tz = p.timezone;
  const { start, end } = dayBounds(date, tz);
  const hours = new Map<number, string>();
  const hourOf = (ms: number) => {
    let h = hours.get(ms);
    if (h === undefined) {
      h = localDateHour(ms, tz).hour;
      hours.set(ms, h);
    }
    return h;
  };
  const onDay = (ms: number) => ms >= start && ms < end;

  const dayContacts = input.contacts.filter((c) => onDay(c.initiatedAt));
  const contactById = new Map(input.contacts.map((c) => [c.contactId, c]));

  // Team of an agent on this day (kpis.md §2 "Team").
  const teamOf = new Map<string, string>();
  const team = (agent: string): string => {
    let t = teamOf.get(agent);
    if (t !== undefined) return t;
    const rows = input.roster.filter((r) => r.agent === agent && r.effectiveFrom <= date);
    const latest = rows.reduce<RefRosterRow | null>(
      (best, r) => (!best || r.effectiveFrom >= best.effectiveFrom ? r : best),
      null,
    );
    const hierarchy = dayContacts.filter((c) => c.agent === agent && c.hierarchyTeam !== '');
    t = latest?.team ?? hierarchy.at(-1)?.hierarchyTeam ?? 'unassigned';
    teamOf.set(agent, t);
    return t;
  };

  // Populations of the day.
  const queued = dayContacts.filter((c) => c.direction === 'inbound' || c.direction === 'transfer');
  const handled = queued.filter((c) => c.outcome === 'answered');
  const outbound = dayContacts.filter((c) => c.direction === 'outbound');

  // FCR (kpis.md §3 fcr_rate): a handled inbound segment with a caller is eligible; repeated when
  // another inbound segment of the same caller starts 0 < Δ ≤ window later (any day, any outcome).
  const inboundByCaller = new Map<string, RefContact[]>();
  for (const c of input.contacts)
    if (c.direction === 'inbound' && c.caller !== '')
      inboundByCaller.set(c.caller, [...(inboundByCaller.get(c.caller) ?? []), c]);
  const isEligible = (c: RefContact) =>
    c.direction === 'inbound' && c.outcome === 'answered' && c.caller !== '';
  const repeatedSet = new Set(
    handled
      .filter(isEligible)
      .filter((x) =>
        (inboundByCaller.get(x.caller) ?? []).some(
          (y) =>
            y.initiatedAt - x.initiatedAt > 0 && y.initiatedAt - x.initiatedAt <= p.fcr_window_seconds * 1000,
        ),
      ),
  );

  // Surveys joined by contact id; unmatched ones count on their responded_at day.
  const surveyOf = new Map(input.surveys.map((s) => [s.contactId, s]));
  const unmatchedSurveys = input.surveys.filter((s) => !contactById.has(s.contactId) && onDay(s.respondedAt));

  // QA: evaluations whose contact falls on the day; an unknown contact counts on evaluated_at's day.
  const qaKnown = input.qa.filter((e) => {
    const c = contactById.get(e.contactId);
    return c !== undefined && onDay(c.initiatedAt);
  });
  const qaUnknown = input.qa.filter((e) => !contactById.has(e.contactId) && onDay(e.evaluatedAt));

  // Agent states: per agent, the time of the local day covered by a `staffed` interval and by no
  // `break` interval (so overlapping intervals count once), cut at every interval boundary.
  const dayStates = input.states.filter((s) => overlap(s.start, s.end, start, end) > 0);
  const staffedMs = new Map<string, number>();
  for (const agent of new Set(dayStates.map((s) => s.agent))) {
    const own = dayStates.filter((s) => s.agent === agent);
    const cuts = [...new Set([start, end, ...own.flatMap((s) => [s.start, s.end])])]
      .filter((t) => t >= start && t <= end)
      .sort((a, b) => a - b);
    let ms = 0;
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i] as number, cuts[i + 1] as number];
      const inState = (state: string) => own.some((s) => s.state === state && s.start <= a && s.end >= b);
      if (inState('staffed') && !inState('break')) ms += b - a;
    }
    staffedMs.set(agent, ms);
  }
  // Membership of one scope item.
  type Member = {
    queueSide: (c: RefContact) => boolean;
    agentSide: (c: RefContact) => boolean;
    outbound: (c: RefContact) => boolean;
    qa: (e: RefQa) => boolean;
    qaUnknown: (e: RefQa) => boolean;
    agent: (a: string) => boolean;
  };
  const members = (scope: Scope, id: string): Member => {
    switch (scope) {
      case 'center':
        return {
          queueSide: (c) => c.direction === 'inbound',
          agentSide: () => true,
          outbound: () => true,
          qa: () => true,
          qaUnknown: () => true,
          agent: () => true,
        };
      case 'queue':
        return {
          queueSide: (c) => c.queue === id,
          agentSide: (c) => c.queue === id,
          outbound: (c) => c.queue === id,
          qa: (e) => contactById.get(e.contactId)?.queue === id,
          qaUnknown: () => false,
          agent: () => false,
        };
      case 'team':
        return {
          queueSide: () => false,
          agentSide: (c) => team(c.agent) === id,
          outbound: (c) => c.agent !== '' && team(c.agent) === id,
          qa: (e) => team(e.agent) === id,
          qaUnknown: (e) => team(e.agent) === id,
          agent: (a) => team(a) === id,
        };
      case 'agent':
        return {
          queueSide: () => false,
          agentSide: (c) => c.agent === id,
          outbound: (c) => c.agent === id,
          qa: (e) => e.agent === id,
          qaUnknown: (e) => e.agent === id,
          agent: (a) => a === id,
        };
      case 'hour':
        return {
          queueSide: (c) => c.direction === 'inbound' && hourOf(c.initiatedAt) === id,
          agentSide: (c) => hourOf(c.initiatedAt) === id,
          outbound: (c) => hourOf(c.initiatedAt) === id,
          qa: (e) => {
            const c = contactById.get(e.contactId);
            return c !== undefined && hourOf(c.initiatedAt) === id;
          },
          qaUnknown: () => false,
          agent: () => false,
        };
    }
  };

  const item = (scope: Scope, id: string): RefItem => {
    const m = members(scope, id);
    const metrics: Record<string, number | null> = {};

    // Queue side.
    const entered = queued.filter(m.queueSide);
    const shortAbandons = entered.filter(
      (c) => c.outcome === 'abandoned' && c.queueSeconds < p.short_abandon_seconds,
    );
    const offered = entered.filter(
      (c) => !(c.outcome === 'abandoned' && c.queueSeconds < p.short_abandon_seconds),
    );
    const answered = offered.filter((c) => c.outcome === 'answered');
    const abandoned = offered.filter((c) => c.outcome === 'abandoned');
    metrics.offered = offered.length;
    metrics.answered = answered.length;
    metrics.abandoned = abandoned.length;
    metrics.short_abandoned = shortAbandons.length;
    metrics.answer_rate = ratio(answered.length, offered.length);
    metrics.abandon_rate = ratio(abandoned.length, offered.length);
    metrics.service_level = ratio(
      answered.filter((c) => c.queueSeconds <= p.service_level_seconds).length,
      offered.length,
    );
    metrics.asa_seconds = ratio(
      sum(answered, (c) => c.queueSeconds),
      answered.length,
    );
    metrics.avg_queue_seconds = ratio(
      sum(offered, (c) => c.queueSeconds),
      offered.length,
    );

    // Agent side.
    const h = handled.filter(m.agentSide);
    const handleSeconds = sum(h, (c) => c.talkSeconds + c.holdSeconds + c.acwSeconds);
    const agents = new Set(h.map((c) => c.agent));
    metrics.handled = h.length;
    metrics.aht_seconds = ratio(handleSeconds, h.length);
    metrics.avg_talk_seconds = ratio(
      sum(h, (c) => c.talkSeconds),
      h.length,
    );
    metrics.avg_hold_seconds = ratio(
      sum(h, (c) => c.holdSeconds),
      h.length,
    );
    metrics.avg_acw_seconds = ratio(
      sum(h, (c) => c.acwSeconds),
      h.length,
    );
    metrics.avg_ring_seconds = ratio(
      sum(h, (c) => c.ringSeconds),
      h.length,
    );
    metrics.avg_rings =
      metrics.avg_ring_seconds === null ? null : metrics.avg_ring_seconds / p.ring_cycle_seconds;
    metrics.agents_active = agents.size;
    metrics.handled_per_agent = ratio(h.length, agents.size);

    // Occupancy (kpis.md §3): Σ handle time of the segments handled / Σ staffed time, only where
    // agent-state data covers the day. Reading (also the product's published definition of its
    // two volumes, GET /v1/definitions): both sides count only the scope's agents that have
    // agent-state data that day; null where none has. On the demo's agent-state days every agent
    // who handles a call has a shift, so this reading and "all handled segments" give the same
    // occupancy; on its queue_log days there are no agent states, so all three are null.
    const withStates = [...staffedMs.keys()].filter(m.agent);
    if (withStates.length === 0) {
      metrics.staffed_seconds = null;
      metrics.handle_seconds = null;
      metrics.occupancy = null;
    } else {
      const staffedSeconds = sum(withStates, (a) => staffedMs.get(a) ?? 0) / 1000;
      const staffedHandle = sum(
        h.filter((c) => staffedMs.has(c.agent)),
        (c) => c.talkSeconds + c.holdSeconds + c.acwSeconds,
      );
      metrics.staffed_seconds = staffedSeconds;
      metrics.handle_seconds = staffedHandle;
      metrics.occupancy = ratio(staffedHandle, staffedSeconds);
    }

    // FCR.
    const eligible = h.filter(isEligible);
    const repeated = eligible.filter((c) => repeatedSet.has(c));
    metrics.fcr_eligible = eligible.length;
    metrics.repeated = repeated.length;
    metrics.fcr_rate = eligible.length === 0 ? null : 1 - repeated.length / eligible.length;
    metrics.repeat_rate = ratio(repeated.length, eligible.length);

    // Surveys and complaints.
    const responses = h.flatMap((c) => {
      const s = surveyOf.get(c.contactId);
      return s ? [s] : [];
    });
    metrics.csat_responses = responses.length;
    metrics.csat_avg = ratio(
      sum(responses, (s) => s.score),
      responses.length,
    );
    metrics.csat_top2_rate = ratio(responses.filter((s) => s.score >= 4).length, responses.length);
    metrics.survey_response_rate = ratio(responses.length, h.length);
    if (scope === 'center') metrics.unmatched_surveys = unmatchedSurveys.length;
    const complaints = h.filter(
      (c) => surveyOf.get(c.contactId)?.complaint === true || p.complaint_codes.includes(c.disposition),
    );
    metrics.complaints = complaints.length;
    metrics.complaint_rate_per_1000 = h.length === 0 ? null : (complaints.length / h.length) * 1000;

    // QA.
    const evals = [...qaKnown.filter(m.qa), ...qaUnknown.filter(m.qaUnknown)];
    metrics.qa_evaluations = evals.length;
    metrics.qa_avg_score = ratio(
      sum(evals, (e) => e.score),
      evals.length,
    );
    metrics.qa_pass_rate = ratio(
      evals.filter((e) => e.score >= p.qa_pass_score && !e.fatal).length,
      evals.length,
    );
    metrics.qa_fatal_errors = evals.filter((e) => e.fatal).length;

    // Outbound.
    const o = outbound.filter(m.outbound);
    const dialers = new Set(o.map((c) => c.agent).filter((a) => a !== ''));
    metrics.outbound_attempts = o.length;
    metrics.outbound_connected = o.filter((c) => c.outcome === 'connected').length;
    metrics.outbound_connect_rate = ratio(metrics.outbound_connected, o.length);
    metrics.outbound_successes = o.filter((c) => p.success_codes.includes(c.disposition)).length;
    metrics.outbound_agents = dialers.size;
    metrics.outbound_attempts_per_agent = ratio(o.length, dialers.size);

    for (const name of Object.keys(metrics)) if (!metricExists(name, scope)) delete metrics[name];
    return { scope, id, metrics };
  };

  // The ids of each scope: every id something of the day is attributed to.
  const ids: Record<Scope, Set<string>> = {
    center: new Set([input.center]),
    queue: new Set(),
    team: new Set(),
    agent: new Set(),
    hour: new Set(),
  };
  for (const c of queued) {
    ids.queue.add(c.queue);
    ids.hour.add(hourOf(c.initiatedAt));
  }
  for (const c of [...handled, ...outbound.filter((x) => x.agent !== '')]) {
    ids.agent.add(c.agent);
    ids.team.add(team(c.agent));
  }
  for (const c of outbound) {
    if (c.queue !== '') ids.queue.add(c.queue);
    ids.hour.add(hourOf(c.initiatedAt));
  }
  for (const e of [...qaKnown, ...qaUnknown]) {
    ids.agent.add(e.agent);
    ids.team.add(team(e.agent));
  }
  for (const s of dayStates) {
    ids.agent.add(s.agent);
    ids.team.add(team(s.agent));
  }
  return SCOPES.flatMap((scope) => [...ids[scope]].sort().map((id) => item(scope, id)));
}
