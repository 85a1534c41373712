/**
 * A realistic demo centre (`demo`): five weeks of exports in all three CDR formats — canonical
 * CSV, Amazon Connect contact records (gzip NDJSON) and Asterisk queue_log, rotating by day —
 * plus surveys, QA evaluations, a roster and agent states. Deterministic for a seed, so the
 * numbers a newcomer sees can be recomputed from the files.
 *
 * The calls are not drawn independently: a small queueing simulation routes each call to the
 * longest-idle agent on shift (FIFO, callers abandon when their patience runs out), with
 * shifts planned by Erlang C for the forecast. Waits, abandons and occupancy therefore follow
 * from demand and staffing, as in a real centre, and an unplanned surge hurts exactly the
 * hours it hits.
 *
 * The last days carry three planted problems (DEMO_STORY), so the morning email has a story:
 * team B's wrap-up doubles (AHT, concentrated in one team), a mid-morning surge meets the
 * usual staffing (service level, answer rate, queue time), and billing callers keep calling
 * back (FCR of one queue). Everything else meets the targets of the config written here.
 */
import { gzipSync } from 'node:zlib';
import { addDays, localDayBounds, localTimestamp as localStamp, weekday } from '../domain/time.js';

export interface DemoFile {
  key: string;
  body: string | Buffer;
}

export interface DemoOptions {
  center?: string;
  timezone?: string;
  /** Last day of history (local date); usually the centre's yesterday, the day the email reports. */
  lastDay: string;
  days?: number;
  /** Calls on an average weekday. */
  dailyVolume?: number;
  seed?: number;
  /** Plant the problems of DEMO_STORY on the last days (default true). */
  plantedProblems?: boolean;
}

/** Small deterministic PRNG (mulberry32), shared by the demo and the benchmark. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What is planted, by days before the last day (index 0 = the last day). The problems grow
 * over the last two days, so the email shows both new and continuing exceptions.
 */
export const DEMO_STORY = {
  /** A new CRM wrap-up form: team B's after-contact work ×1.4 the day before, ×2 on the last day. */
  acwTeam: 'B',
  acwFactor: [2, 1.4],
  /**
   * An unforecast surge on the last day (a campaign SMS went out at 10:00): calls arriving in
   * 10:00–12:00 ×3, in every queue, met by the planned staffing. Callers who give up redial, so
   * offered in those hours is ≈ 4× a normal day's.
   */
  spikeHours: [10, 11],
  spikeFactor: 3,
  /** A billing error: this share of billing callers call again within the FCR window (2 h). */
  repeatQueue: 'billing',
  repeatRate: [0.4, 0.3],
} as const;

const QUEUES = ['sales', 'support', 'billing', 'complaints'] as const;
type Queue = (typeof QUEUES)[number];
/** Share of the calls and mean talk seconds of each queue (business line). */
const QUEUE_SHARE: Record<Queue, number> = { sales: 0.4, support: 0.25, billing: 0.2, complaints: 0.15 };
const QUEUE_TALK: Record<Queue, number> = { sales: 125, support: 160, billing: 145, complaints: 205 };
/** Share of callers who call back within the FCR window on a normal day (FCR ≈ 98 %). */
const REPEAT_RATE = 0.02;
/**
 * Teams and head count. Team B is the big team (40 % of the shifts): the planted wrap-up
 * problem must lift the centre's AHT over its bound while B stays under 40 % of the calls,
 * which is what makes the centre exception "concentrated".
 */
const TEAMS = [
  { team: 'A', size: 6 },
  { team: 'B', size: 8 },
  { team: 'C', size: 6 },
] as const;
/** Which team takes the next shift of a day: B 4 in 10, A and C 3 in 10. */
const TEAM_ROTATION = ['B', 'A', 'C', 'B', 'C', 'A', 'B', 'A', 'C', 'B'];
/** Mean after-contact work (seconds); each agent is a little faster or slower. */
const ACW_SECONDS = 100;
/** Opening hours 08:00–20:00; share of the day's calls arriving in each hour. */
const OPEN_HOUR = 8;
const HOURLY = [0.05, 0.09, 0.11, 0.1, 0.08, 0.07, 0.09, 0.1, 0.1, 0.09, 0.07, 0.05];
const WEEKEND_FACTOR = 0.8;
/**
 * Workforce planning asks Erlang C for this service level in 20 s. Erlang C ignores callers who
 * hang up and whole shifts cover more than the hour needs, so this gives ≈ 85–95 % answered
 * within 20 s on a normal day: comfortably over the 80 % target, with nothing to spare for a surge.
 */
const PLAN_SERVICE_LEVEL = 0.6;
const SERVICE_LEVEL_SECONDS = 20;
/** Handle time the planner assumes: talk + hold + wrap-up of the queue mix. */
const PLAN_AHT = QUEUES.reduce((s, q) => s + QUEUE_SHARE[q] * QUEUE_TALK[q], 0) + 0.2 * 45 + ACW_SECONDS;

const QUARTER_MS = 900_000;
const QUARTERS = HOURLY.length * 4;

export interface DemoAgent {
  id: string;
  team: string;
  /** This agent's usual after-contact work, seconds. */
  acw: number;
}

export interface DemoContact {
  id: string;
  direction: 'inbound' | 'transfer';
  queue: string;
  agent: string;
  caller: string;
  /** Epoch ms the call arrived (initiated_at). */
  start: number;
  /** Seconds until answered (ring included) or abandoned. */
  wait: number;
  ring: number;
  talk: number;
  hold: number;
  acw: number;
  answered: boolean;
  disposition: string;
}

export interface DemoShift {
  agent: string;
  start: number;
  end: number;
  breaks: Array<[number, number]>;
}

export interface DemoSurvey {
  contact: DemoContact;
  respondedAt: number;
  score: number;
  complaint: boolean;
}

export interface DemoEvaluation {
  contact: DemoContact;
  evaluatedAt: number;
  score: number;
  fatal: boolean;
}

export type DemoFormat = 'csv' | 'connect' | 'queue_log';

export interface DemoDay {
  date: string;
  format: DemoFormat;
  contacts: DemoContact[];
  /** The shifts worked; exported as agent states except on queue_log days. */
  shifts: DemoShift[];
  surveys: DemoSurvey[];
  qa: DemoEvaluation[];
}

export interface DemoData {
  center: string;
  timezone: string;
  config: Record<string, unknown>;
  agents: DemoAgent[];
  days: DemoDay[];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Standard normal deviate (Box–Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Log-normal with the given mean and shape σ. */
function logNormal(rand: () => number, mean: number, sigma: number): number {
  return mean * Math.exp(sigma * normal(rand) - (sigma * sigma) / 2);
}

function poisson(rand: () => number, lambda: number): number {
  // Inversion; fine for the few hundred calls an hour the demo draws.
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rand();
  while (u > cdf && k < 10 * lambda + 50) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** Erlang C: the fewest agents that answer `target` of the calls within `seconds`. */
function erlangAgents(callsPerHour: number, aht: number, target: number, seconds: number): number {
  const traffic = (callsPerHour * aht) / 3600;
  if (traffic <= 0) return 0;
  let b = 1;
  for (let n = 1; n < 200; n++) {
    b = (traffic * b) / (n + traffic * b);
    if (n <= traffic) continue;
    const c = (n * b) / (n - traffic * (1 - b));
    if (1 - c * Math.exp((-(n - traffic) * seconds) / aht) >= target) return n;
  }
  return 200;
}

/** The roster: A001–A006 in team A, A007–A014 in team B, A015–A020 in team C (×scale). */
export function agentsOf(seed = 20261122, scale = 1): DemoAgent[] {
  const rand = rng(seed ^ 0x5eed);
  let n = 0;
  return TEAMS.flatMap(({ team, size }) =>
    Array.from({ length: size * scale }, () => ({
      id: `A${pad(++n, 3)}`,
      team,
      acw: ACW_SECONDS * (0.9 + 0.2 * rand()),
    })),
  );
}

/**
 * The day's CDR format, rotating csv → connect → queue_log. The report day's weekday never
 * uses queue_log: it carries no hold or wrap-up time, and the drivers of an exception are
 * compared with the same weekday of the previous four weeks (exceptions.md §2.3).
 */
export function formatOfDay(daysBeforeLast: number): DemoFormat {
  if (daysBeforeLast % 7 === 0) return (daysBeforeLast / 7) % 2 === 0 ? 'connect' : 'csv';
  return (['queue_log', 'connect', 'csv'] as const)[daysBeforeLast % 3] as DemoFormat;
}

/**
 * Shifts for the forecast (never for the day's surprises), on a quarter-hour grid: full 9-hour
 * shifts (two 15-minute breaks and a 45-minute lunch, staggered) and 4-hour part-time shifts
 * (one break), added until every hour has the agents Erlang C asks for available.
 */
function planShifts(
  dayStart: number,
  forecast: number,
  agents: DemoAgent[],
  /** Days since 1970: agents rotate by calendar day, so a date's data never depends on the range. */
  dayNumber: number,
): DemoShift[] {
  const need = HOURLY.map((share) =>
    erlangAgents(forecast * share, PLAN_AHT, PLAN_SERVICE_LEVEL, SERVICE_LEVEL_SECONDS),
  );
  const available = new Int32Array(QUARTERS);
  const short = (i: number) => (available[i] as number) < (need[Math.floor(i / 4)] as number);
  const shape = (start: number, length: number, k: number) => ({
    start,
    end: start + length,
    breaks:
      length === 36
        ? ([
            [start + 8 + (k % 2), start + 9 + (k % 2)],
            [start + 15 + (k % 3), start + 18 + (k % 3)],
            [start + 26 + (k % 2), start + 27 + (k % 2)],
          ] as Array<[number, number]>)
        : ([[start + 7 + (k % 3), start + 8 + (k % 3)]] as Array<[number, number]>),
  });
  const onBreak = (s: { breaks: Array<[number, number]> }, i: number) =>
    s.breaks.some(([b, e]) => i >= b && i < e);
  const planned: Array<ReturnType<typeof shape>> = [];
  // Left to right, each shortfall gets the shift that starts latest while still covering it
  // (the most cover for the hours ahead): a full shift while one still fits before closing,
  // else a part-time one.
  for (let q = 0; q < QUARTERS; q++) {
    while (short(q)) {
      const k = planned.length;
      const fullStart = Math.min(q - (q % 4), QUARTERS - 36);
      let s =
        fullStart >= q - 8 ? shape(fullStart, 36, k) : shape(Math.min(q - (q % 4), QUARTERS - 16), 16, k);
      if (onBreak(s, q)) s = { ...s, breaks: s.breaks.map(([b, e]) => [b + 2, e + 2] as [number, number]) };
      for (let i = s.start; i < s.end; i++) if (!onBreak(s, i)) available[i] = (available[i] as number) + 1;
      planned.push(s);
    }
  }
  // Teams take the day's shifts in rotation (longest first), and each team's agents by turns.
  const byTeam = new Map<string, DemoAgent[]>();
  for (const a of agents) byTeam.set(a.team, [...(byTeam.get(a.team) ?? []), a]);
  const taken = new Map<string, number>();
  const at = (quarter: number) => dayStart + (OPEN_HOUR * 4 + quarter) * QUARTER_MS;
  return planned
    .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
    .map((p, i) => {
      let team = TEAM_ROTATION[i % TEAM_ROTATION.length] as string;
      // A team with everyone already on shift hands the shift to the next team.
      for (let t = 0; (taken.get(team) ?? 0) >= (byTeam.get(team)?.length ?? 0) && t < TEAMS.length; t++)
        team = TEAMS[(TEAMS.findIndex((x) => x.team === team) + 1) % TEAMS.length]?.team as string;
      const members = byTeam.get(team) as DemoAgent[];
      const n = taken.get(team) ?? 0;
      taken.set(team, n + 1);
      const agent = members[(dayNumber * 2 + n) % members.length] as DemoAgent;
      return {
        agent: agent.id,
        start: at(p.start),
        end: at(p.end),
        breaks: p.breaks.map(([b, e]) => [at(b), at(e)] as [number, number]),
      };
    });
}

interface Arrival {
  start: number;
  queue: Queue;
  caller: string;
  patience: number;
  ring: number;
  talk: number;
  hold: number;
  /** Multiplier of the answering agent's usual wrap-up. */
  acwScale: number;
  /** How many times this caller already hung up and called straight back. */
  redials: number;
}

function callerNumber(rand: () => number): string {
  return `+861${3 + Math.floor(rand() * 6)}${pad(Math.floor(rand() * 1e9), 9)}`;
}

function drawArrival(rand: () => number, start: number, queue: Queue, caller: string): Arrival {
  return {
    start,
    queue,
    caller,
    patience: 2 + -Math.log(1 - rand()) * 120,
    ring: 2 + Math.floor(rand() * 6),
    talk: Math.max(20, Math.round(logNormal(rand, QUEUE_TALK[queue], 0.27))),
    hold: rand() < 0.2 ? 20 + Math.floor(rand() * 50) : 0,
    acwScale: logNormal(rand, 1, 0.15),
    redials: 0,
  };
}

function pickQueue(u: number): Queue {
  let acc = 0;
  for (const q of QUEUES) {
    acc += QUEUE_SHARE[q];
    if (u < acc) return q;
  }
  return 'complaints';
}

/** Arrivals of a day: Poisson per hour, callers who call back, and the planted surge. */
function arrivals(
  dayStart: number,
  volume: number,
  rand: () => number,
  planted: { spike: number; repeatRate: number } | null,
): Arrival[] {
  const open = dayStart + OPEN_HOUR * 3_600_000;
  const close = open + HOURLY.length * 3_600_000;
  const out: Arrival[] = [];
  HOURLY.forEach((share, h) => {
    const surge = planted && (DEMO_STORY.spikeHours as readonly number[]).includes(OPEN_HOUR + h);
    const calls = poisson(rand, volume * share * (surge ? planted.spike : 1));
    for (let i = 0; i < calls; i++) {
      const t = open + h * 3_600_000 + Math.floor(rand() * 3_600) * 1000;
      const queue = pickQueue(rand());
      const caller = rand() < 0.03 ? 'anonymous' : callerNumber(rand);
      out.push(drawArrival(rand, t, queue, caller));
    }
  });
  // Some callers call again 15–110 minutes later (the issue was not solved); planted: billing.
  for (const a of [...out]) {
    const u = rand();
    const later = a.start + Math.floor((15 + rand() * 95) * 60) * 1000;
    const rate = planted && a.queue === DEMO_STORY.repeatQueue ? planted.repeatRate : REPEAT_RATE;
    if (u < rate && later < close) out.push(drawArrival(rand, later, a.queue, a.caller));
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * FIFO multi-agent queue with abandonment: each call, in arrival order, takes the agent who can
 * answer it first (the longest idle on a tie); an agent on a break or off shift cannot. A caller
 * whose patience runs out before the answer hangs up, costs no agent time, and often calls
 * straight back — which is what turns a surge into a pile of abandons.
 */
function simulate(
  date: string,
  calls: Arrival[],
  shifts: DemoShift[],
  agents: Map<string, DemoAgent>,
  acwFactor: (team: string) => number,
  rand: () => number,
): DemoContact[] {
  const freeAt = shifts.map((s) => s.start);
  const close = Math.max(...shifts.map((s) => s.end));
  const prefix = date.replace(/-/g, '');
  const pending = [...calls];
  const out: DemoContact[] = [];
  for (let n = 0; n < pending.length; n++) {
    const c = pending[n] as Arrival;
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    shifts.forEach((s, i) => {
      let t = Math.max(c.start, freeAt[i] as number);
      for (const [b, e] of s.breaks) if (t >= b && t < e) t = e;
      if (t >= s.end) return;
      if (t < bestAt || (t === bestAt && (freeAt[i] as number) < (freeAt[best] as number))) {
        best = i;
        bestAt = t;
      }
    });
    const waitMs = bestAt + c.ring * 1000 - c.start;
    const answered = best >= 0 && waitMs <= c.patience * 1000;
    const base = {
      id: `${prefix}-${pad(n + 1, 5)}`,
      direction: 'inbound' as const,
      queue: c.queue,
      caller: c.caller,
      start: c.start,
    };
    if (!answered) {
      const hungUp = c.start + Math.round(c.patience) * 1000;
      const again = hungUp + Math.floor(30 + rand() * 210) * 1000;
      if (c.patience >= 5 && c.redials < 1 && rand() < 0.4 && again < close) {
        const redial = { ...drawArrival(rand, again, c.queue, c.caller), redials: c.redials + 1 };
        let at = n + 1;
        while (at < pending.length && (pending[at] as Arrival).start <= again) at++;
        pending.splice(at, 0, redial);
      }
      out.push({
        ...base,
        agent: '',
        wait: Math.round(c.patience),
        ring: 0,
        talk: 0,
        hold: 0,
        acw: 0,
        answered: false,
        disposition: '',
      });
      continue;
    }
    const agent = agents.get((shifts[best] as DemoShift).agent) as DemoAgent;
    const acw = Math.round(agent.acw * c.acwScale * acwFactor(agent.team));
    freeAt[best] = bestAt + (c.ring + c.talk + c.hold + acw) * 1000;
    out.push({
      ...base,
      agent: agent.id,
      wait: Math.round(waitMs / 1000),
      ring: c.ring,
      talk: c.talk,
      hold: c.hold,
      acw,
      answered: true,
      disposition: c.queue === 'sales' && rand() < 0.3 ? 'sale' : '',
    });
  }
  return out;
}

function simulateDay(
  date: string,
  daysBeforeLast: number,
  o: Required<DemoOptions>,
  agents: DemoAgent[],
): DemoDay {
  const rand = rng(o.seed ^ hashText(date));
  const { start: dayStart } = localDayBounds(date, o.timezone);
  const wd = weekday(date);
  const forecast = o.dailyVolume * (wd >= 6 ? WEEKEND_FACTOR : 1);
  const volume = forecast * (0.94 + rand() * 0.12);
  const plant = o.plantedProblems && daysBeforeLast < 2;
  const shifts = planShifts(dayStart, forecast, agents, Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const calls = arrivals(
    dayStart,
    volume,
    rand,
    plant
      ? {
          spike: daysBeforeLast === 0 ? DEMO_STORY.spikeFactor : 1,
          repeatRate: DEMO_STORY.repeatRate[daysBeforeLast] as number,
        }
      : null,
  );
  const acwFactor = (team: string) =>
    plant && team === DEMO_STORY.acwTeam ? (DEMO_STORY.acwFactor[daysBeforeLast] as number) : 1;
  const byId = new Map(agents.map((a) => [a.id, a]));
  const contacts = simulate(date, calls, shifts, byId, acwFactor, rand);
  const answered = contacts.filter((c) => c.answered);

  // 0–2 complaints a day: a per-1000 rate on a few hundred calls moves 2 points per complaint.
  const complaints = new Set<DemoContact>();
  for (let k = Math.floor(rand() * 3); k > 0 && answered.length > 0; k--)
    complaints.add(answered[Math.floor(rand() * answered.length)] as DemoContact);
  const surveys: DemoSurvey[] = [];
  for (const c of answered) {
    const complaint = complaints.has(c);
    if (complaint && rand() < 0.5) {
      c.disposition = 'complaint';
      continue;
    }
    if (!complaint && rand() >= 0.2) continue;
    // Customers mind waiting and very long calls.
    const mood = 4.5 + 0.7 * normal(rand) - Math.min(1.5, c.wait / 90) - (c.talk > 400 ? 0.5 : 0);
    surveys.push({
      contact: c,
      respondedAt: c.start + (c.wait + c.talk + c.hold + 300) * 1000,
      score: complaint ? 1 : Math.max(1, Math.min(5, Math.round(mood))),
      complaint,
    });
  }
  const qa: DemoEvaluation[] = answered
    .filter(() => rand() < 0.07)
    .map((c) => ({
      contact: c,
      evaluatedAt: c.start + 2 * 3_600_000,
      score: Math.max(40, Math.min(100, Math.round(90 + 5 * normal(rand)))),
      fatal: rand() < 0.01,
    }));
  return { date, format: formatOfDay(daysBeforeLast), contacts, shifts, surveys, qa };
}

/**
 * The centre's configuration: the industry preset (行业标准), changed where a well-run centre of
 * this size would not meet it on a normal day, so that only the planted problems breach:
 * - aht_seconds 100–280 s at centre and team: normally ≈ 260 s (talk ≈ 150 + hold ≈ 10 +
 *   wrap-up ≈ 100; a team's day varies by ±10 s), and queue_log days carry no hold or wrap-up
 *   (≈ 160 s). Team B at twice the wrap-up is ≈ 355 s and lifts the centre to ≈ 290 s. Each
 *   business line has its own range, ≈ 20 % over its normal AHT (kpis.md §5);
 * - answer_rate ≥ 85 % (the recommended level; normally ≈ 94–99 %). Service level 80 % in 20 s
 *   (normally ≈ 87–98 %), avg_queue_seconds ≤ 20 s (≈ 5–11 s), fcr_rate ≥ 85 % and complaints
 *   ≤ 5 per 1000 are the preset's;
 * - occupancy ≥ 35 %: with 5 erlangs in the peak hour, Erlang C cannot give 80 % in 20 s at
 *   the presets' 80–90 % occupancy, so this centre runs ≈ 40–55 %; the floor flags a day with
 *   far more agents logged in than calls;
 * - qa_pass_rate ≥ 85 % (normally ≈ 97 %): the recommended 99 % fails on any day with one weak
 *   evaluation;
 * - complaints per 1000 are judged only on ≥ 400 handled calls: below that one complaint
 *   moves the rate by 2.5 or more.
 */
function demoConfig(o: Required<DemoOptions>): Record<string, unknown> {
  return {
    timezone: o.timezone,
    preset: 'industry',
    parameters: {
      default_country_code: '86',
      // Local mode then evaluates the report day two seconds after the demo has loaded.
      report_settle_seconds: 2,
      min_volume: { metrics: { complaint_rate_per_1000: 400 } },
    },
    targets: {
      aht_seconds: { between: [100, 280] },
      answer_rate: { gte: 0.85 },
      occupancy: { gte: 0.35 },
      qa_pass_rate: { gte: 0.85 },
    },
    overrides: [
      { scope: 'queue', id: 'sales', targets: { aht_seconds: { between: [90, 290] } } },
      { scope: 'queue', id: 'support', targets: { aht_seconds: { between: [100, 330] } } },
      { scope: 'queue', id: 'billing', targets: { aht_seconds: { between: [100, 310] } } },
      { scope: 'queue', id: 'complaints', targets: { aht_seconds: { between: [150, 390] } } },
    ],
    recipients: [
      { email: 'ops-director@demo.example', scopes: [{ scope: 'center' }] },
      { email: 'team-b-lead@demo.example', scopes: [{ scope: 'team', id: DEMO_STORY.acwTeam }] },
    ],
  };
}

function withDefaults(options: DemoOptions): Required<DemoOptions> {
  return {
    center: 'demo',
    timezone: 'Asia/Shanghai',
    days: 35,
    dailyVolume: 600,
    seed: 20261122,
    plantedProblems: true,
    ...options,
  };
}

/** The demo centre's records in memory: what the files say, before any format is applied. */
export function simulateDemo(options: DemoOptions): DemoData {
  const o = withDefaults(options);
  // Head count follows the volume, so a bigger demo still has an agent for every shift.
  const agents = agentsOf(o.seed, Math.max(1, Math.ceil(o.dailyVolume / 600)));
  const first = addDays(o.lastDay, -(o.days - 1));
  const days = Array.from({ length: o.days }, (_, d) =>
    simulateDay(addDays(first, d), o.days - 1 - d, o, agents),
  );
  return { center: o.center, timezone: o.timezone, config: demoConfig(o), agents, days };
}

const CSV_HEADER =
  'contact_id,direction,channel,queue,agent_id,caller,initiated_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,disposition,last_updated_at';

function canonicalCsv(contacts: DemoContact[], tz: string): string {
  const rows = contacts.map((c) => {
    const end = c.start + (c.wait + c.talk + c.hold + c.acw) * 1000;
    return [
      c.id,
      c.direction,
      'voice',
      c.queue,
      c.agent,
      c.caller,
      localStamp(c.start, tz),
      c.wait,
      c.ring,
      c.talk,
      c.hold,
      c.acw,
      c.answered ? 'answered' : 'abandoned',
      c.disposition,
      localStamp(end, tz),
    ].join(',');
  });
  return `${[CSV_HEADER, ...rows].join('\r\n')}\r\n`;
}

function connectCtr(contacts: DemoContact[], teamOf: Map<string, string>): Buffer {
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = contacts.map((c) => {
    const enq = c.start;
    const answeredAt = enq + c.wait * 1000;
    const team = teamOf.get(c.agent);
    return JSON.stringify({
      AWSAccountId: '000000000000',
      ContactId: `ctr-${c.id}`,
      InitialContactId: null,
      InitiationMethod: 'INBOUND',
      Channel: 'VOICE',
      InitiationTimestamp: iso(c.start),
      DisconnectTimestamp: iso(answeredAt + (c.talk + c.hold) * 1000),
      LastUpdateTimestamp: iso(answeredAt + (c.talk + c.hold + c.acw) * 1000 + 60_000),
      DisconnectReason: 'CUSTOMER_DISCONNECT',
      CustomerEndpoint: c.caller === 'anonymous' ? null : { Address: c.caller, Type: 'TELEPHONE_NUMBER' },
      Queue: {
        Name: c.queue,
        Duration: c.wait,
        EnqueueTimestamp: iso(enq),
        DequeueTimestamp: iso(answeredAt - c.ring * 1000),
      },
      Agent: c.answered
        ? {
            Username: c.agent,
            ConnectedToAgentTimestamp: iso(answeredAt),
            AgentInteractionDuration: c.talk,
            CustomerHoldDuration: c.hold,
            AfterContactWorkDuration: c.acw,
            HierarchyGroups: team
              ? { Level1: { GroupName: 'Contact centre' }, Level2: { GroupName: team } }
              : null,
          }
        : null,
      Attributes: c.disposition ? { disposition: c.disposition } : {},
    });
  });
  return gzipSync(`${lines.join('\n')}\n`);
}

/** Asterisk writes the member name (queues.conf `membername`), here the roster's agent id. */
function queueLog(contacts: DemoContact[]): string {
  const lines: Array<[number, string]> = [];
  for (const c of contacts) {
    const s = Math.floor(c.start / 1000);
    const cid = `ql-${c.id}`;
    lines.push([s, `${s}|${cid}|${c.queue}|NONE|ENTERQUEUE||${c.caller === 'anonymous' ? '' : c.caller}|1`]);
    if (c.answered) {
      // queue_log has no hold: the whole conversation is talk.
      const talk = c.talk + c.hold;
      lines.push([
        s + c.wait,
        `${s + c.wait}|${cid}|${c.queue}|${c.agent}|CONNECT|${c.wait}|${cid}.1|${c.ring}`,
      ]);
      lines.push([
        s + c.wait + talk,
        `${s + c.wait + talk}|${cid}|${c.queue}|${c.agent}|COMPLETECALLER|${c.wait}|${talk}|1`,
      ]);
    } else {
      lines.push([s + c.wait, `${s + c.wait}|${cid}|${c.queue}|NONE|ABANDON|1|1|${c.wait}`]);
    }
  }
  lines.sort((a, b) => a[0] - b[0]);
  return `${lines.map((l) => l[1]).join('\n')}\n`;
}

function agentStatesCsv(shifts: DemoShift[], tz: string): string {
  const rows = shifts.flatMap((s) => [
    `${s.agent},staffed,${localStamp(s.start, tz)},${localStamp(s.end, tz)}`,
    ...s.breaks.map(([b, e]) => `${s.agent},break,${localStamp(b, tz)},${localStamp(e, tz)}`),
  ]);
  return `agent_id,state,start,end\n${rows.join('\n')}\n`;
}

/** The contact id a format gives a demo contact (what surveys and QA refer to). */
export function contactIdOf(c: DemoContact, format: DemoFormat): string {
  return format === 'csv' ? c.id : format === 'connect' ? `ctr-${c.id}` : `ql-${c.id}`;
}

/** Every file of the demo centre, in the order a telephony system would drop them. */
export function generateDemo(options: DemoOptions): DemoFile[] {
  const data = simulateDemo(options);
  const { center, timezone: tz } = data;
  const teamOf = new Map(data.agents.map((a) => [a.id, a.team]));
  const files: DemoFile[] = [
    { key: `config/centers/${center}.json`, body: JSON.stringify(data.config, null, 2) },
    {
      key: `roster/${center}/roster.csv`,
      body: `agent_id,team,name,supervisor\n${data.agents.map((a) => `${a.id},${a.team},Agent ${a.id},lead-${a.team}`).join('\n')}\n`,
    },
  ];
  for (const day of data.days) {
    const { date, format } = day;
    const compact = date.replace(/-/g, '');
    if (format === 'csv')
      files.push({ key: `cdr/${center}/csv/${date}.csv`, body: canonicalCsv(day.contacts, tz) });
    else if (format === 'connect')
      files.push({
        key: `cdr/${center}/connect/${date.replace(/-/g, '/')}/ctr-${compact}.json.gz`,
        body: connectCtr(day.contacts, teamOf),
      });
    else files.push({ key: `cdr/${center}/asterisk/queue_log-${compact}`, body: queueLog(day.contacts) });
    const idOf = (c: DemoContact) => contactIdOf(c, format);
    files.push({
      key: `survey/${center}/${date}.csv`,
      body: `contact_id,responded_at,score,complaint,comment\n${day.surveys
        .map(
          (s) =>
            `${idOf(s.contact)},${localStamp(s.respondedAt, tz)},${s.score},${s.complaint},"free text, never stored"`,
        )
        .join('\n')}\n`,
    });
    files.push({
      key: `qa/${center}/${date}.csv`,
      body: `evaluation_id,contact_id,agent_id,evaluated_at,score,fatal,form\n${day.qa
        .map(
          (e, i) =>
            `qa-${compact}-${i},${idOf(e.contact)},${e.contact.agent},${localStamp(e.evaluatedAt, tz)},${e.score},${e.fatal},standard`,
        )
        .join('\n')}\n`,
    });
    // The Asterisk site exports no agent states (and no wrap-up to set them against).
    if (format !== 'queue_log')
      files.push({ key: `agent-states/${center}/${date}.csv`, body: agentStatesCsv(day.shifts, tz) });
  }
  return files;
}
