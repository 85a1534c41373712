/**
 * The ingest benchmark's input: one centre-day of contacts written as a canonical CSV and as
 * Amazon Connect contact records (gzip NDJSON, as Firehose delivers them). Deterministic for a
 * seed, written as a stream (the generator holds a few thousand rows, never the file).
 *
 * Shape: 12 queues with skewed volumes, 1,000 agents, a diurnal curve over the local day
 * (Asia/Shanghai), 90 % inbound / 5 % transfer (the caller of a recent contact) / 5 % outbound,
 * inbound abandons when the wait exceeds the caller's patience (≈ 8 %), callers drawn from
 * 600,000 mobile numbers (3 % withheld), dispositions (some quoted, with a delimiter inside).
 * Of the rows, ≈ 0.3 % repeat an earlier contact id with a later last_updated_at (at-least-once
 * delivery) and ≈ 0.05 % are bad (negative duration, unknown outcome, missing id): they are
 * counted as duplicates and quarantined, the way real exports look.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { rng } from '../../functions/demo/generate.js';
import { localDayBounds, localTimestamp } from '../../functions/domain/time.js';

export const BENCH_CENTER = 'bench';
export const BENCH_TZ = 'Asia/Shanghai';
export const BENCH_DAY = '2026-11-20';
/** "Now" for the ingest: two days after the benchmark day, so no timestamp is in the future. */
export const BENCH_NOW = Date.UTC(2026, 10, 22, 12);

const QUEUES: Array<[string, number]> = [
  ['support', 0.22],
  ['sales', 0.16],
  ['billing', 0.14],
  ['tech-l1', 0.12],
  ['orders', 0.08],
  ['returns', 0.07],
  ['retention', 0.06],
  ['complaints', 0.05],
  ['tech-l2', 0.04],
  ['collections', 0.03],
  ['vip', 0.02],
  ['general', 0.01],
];
/** Share of the day's contacts per local hour 00–23. */
const HOURLY = [
  0.004, 0.003, 0.002, 0.002, 0.002, 0.004, 0.01, 0.03, 0.065, 0.085, 0.09, 0.085, 0.07, 0.075, 0.085, 0.08,
  0.075, 0.065, 0.05, 0.04, 0.03, 0.02, 0.012, 0.006,
];
const AGENTS = 1000;
const CALLER_POOL = 600_000;
const OUTBOUND_OUTCOMES: Array<[string, number]> = [
  ['connected', 0.55],
  ['no_answer', 0.3],
  ['busy', 0.1],
  ['failed', 0.05],
];

export interface BenchContact {
  seq: number;
  direction: 'inbound' | 'transfer' | 'outbound';
  queue: string;
  agent: string;
  caller: string;
  start: number;
  wait: number;
  ring: number;
  talk: number;
  hold: number;
  acw: number;
  outcome: string;
  disposition: string;
  lastUpdated: number;
  /** A repeat of an earlier contact id, or a row to quarantine. */
  variant: 'ok' | 'duplicate' | 'bad';
}

function pick<T>(weighted: Array<[T, number]>, x: number): T {
  let acc = 0;
  for (const [v, w] of weighted) {
    acc += w;
    if (x < acc) return v;
  }
  return (weighted[weighted.length - 1] as [T, number])[0];
}

function callerNumber(k: number): string {
  // Distinct k < 89,999,999 give distinct numbers (7919 is prime to the modulus).
  return `+861${3 + (k % 7)}${String(10_000_000 + ((k * 7919) % 89_999_999)).padStart(8, '0')}`;
}

/** `rows` contacts of BENCH_DAY, in the order a switch would export them (hour by hour). */
export function* benchContacts(rows: number, seed = 20261120): Generator<BenchContact> {
  const r = rng(seed);
  const { start: dayStart } = localDayBounds(BENCH_DAY, BENCH_TZ);
  const recent: BenchContact[] = [];
  let seq = 0;
  let emitted = 0;
  for (let h = 0; h < 24; h++) {
    const share = HOURLY[h] as number;
    // The last hour takes the rounding remainder, so the file has exactly `rows` rows.
    const inHour = h === 23 ? rows - emitted : Math.round(rows * share);
    for (let i = 0; i < inHour; i++, emitted++) {
      const x = r();
      if (x < 0.003 && recent.length > 0) {
        const earlier = recent[Math.floor(r() * recent.length)] as BenchContact;
        yield { ...earlier, lastUpdated: earlier.lastUpdated + 60_000, variant: 'duplicate' };
        continue;
      }
      const start = dayStart + h * 3_600_000 + Math.floor(r() * 3_600_000);
      const d = r();
      const direction = d < 0.9 ? 'inbound' : d < 0.95 ? 'transfer' : 'outbound';
      const queue = direction === 'outbound' ? 'campaign-renewals' : pick(QUEUES, r());
      const agent = `A${String(1 + Math.floor(r() * AGENTS)).padStart(4, '0')}`;
      let caller: string;
      if (direction === 'transfer' && recent.length > 0)
        caller = (recent[Math.floor(r() * recent.length)] as BenchContact).caller;
      else caller = r() < 0.03 ? 'anonymous' : callerNumber(Math.floor(r() * CALLER_POOL));
      const base =
        queue === 'complaints' ? 300 : queue === 'sales' ? 170 : queue.startsWith('tech') ? 260 : 200;
      let wait = 0;
      let ring = 0;
      let talk = 0;
      let hold = 0;
      let acw = 0;
      let outcome: string;
      if (direction === 'outbound') {
        outcome = pick(OUTBOUND_OUTCOMES, r());
        ring = Math.floor(r() * 25);
        if (outcome === 'connected') {
          talk = Math.round(base * (0.3 + r()));
          acw = Math.round(10 + r() * 30);
        }
      } else {
        wait = Math.round(-Math.log(1 - r()) * 18);
        const patience = Math.round(-Math.log(1 - r()) * 220) + 4;
        if (wait <= patience) {
          outcome = 'answered';
          ring = Math.min(wait, Math.floor(r() * 9));
          talk = Math.round(base * (0.4 + r() * 1.2));
          hold = r() < 0.18 ? Math.round(r() * 120) : 0;
          acw = Math.round(12 + r() * 40);
        } else {
          outcome = 'abandoned';
          wait = patience;
        }
      }
      const dr = r();
      const disposition =
        outcome !== 'answered' && outcome !== 'connected'
          ? ''
          : dr < 0.004
            ? 'complaint'
            : dr < 0.014
              ? 'callback, requested'
              : queue === 'sales' && dr < 0.3
                ? 'sale'
                : '';
      const c: BenchContact = {
        seq: ++seq,
        direction,
        queue,
        agent: outcome === 'answered' || outcome === 'connected' ? agent : '',
        caller,
        start,
        wait,
        ring,
        talk,
        hold,
        acw,
        outcome,
        disposition,
        lastUpdated: start + (wait + ring + talk + hold + acw) * 1000,
        variant: r() < 0.0005 ? 'bad' : 'ok',
      };
      // A bad row is not repeated: its repeat would be a first occurrence, not a duplicate.
      if (c.variant === 'ok') {
        if (recent.length < 4096) recent.push(c);
        else recent[Math.floor(r() * recent.length)] = c;
      }
      yield c;
    }
  }
}

export const CSV_HEADER =
  'contact_id,direction,channel,queue,agent_id,caller,initiated_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,disposition,last_updated_at';

const compactDay = BENCH_DAY.replace(/-/g, '');

function csvRow(c: BenchContact): string {
  const id = `${compactDay}-${String(c.seq).padStart(7, '0')}`;
  let talk = String(c.talk);
  let outcome = c.outcome;
  let contactId = id;
  if (c.variant === 'bad') {
    // Three kinds of bad row, each quarantined with its own reason.
    if (c.seq % 3 === 0) talk = `-${c.talk + 1}`;
    else if (c.seq % 3 === 1) outcome = 'dropped';
    else contactId = '';
  }
  const disposition = c.disposition.includes(',') ? `"${c.disposition}"` : c.disposition;
  return `${contactId},${c.direction},voice,${c.queue},${c.agent},${c.caller},${localTimestamp(c.start, BENCH_TZ)},${c.wait},${c.ring},${talk},${c.hold},${c.acw},${outcome},${disposition},${localTimestamp(c.lastUpdated, BENCH_TZ)}`;
}

/** A UUID-shaped contact id, as Connect writes them (deterministic from the sequence number). */
function ctrId(seq: number): string {
  const h = (x: number) => (Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0).toString(16).padStart(8, '0');
  const a = h(seq);
  const b = h(seq + 0x9e3779b9);
  const c = h(seq * 31 + 7);
  const d = h(seq ^ 0x5bd1e995);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

function ctrRecord(c: BenchContact): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const enq = c.start + 4_000;
  const deq = enq + c.wait * 1000;
  const connected = c.agent === '' ? undefined : deq + c.ring * 1000;
  const answered = connected !== undefined;
  const method =
    c.direction === 'outbound' ? 'OUTBOUND' : c.direction === 'transfer' ? 'TRANSFER' : 'INBOUND';
  let queueDuration = c.wait;
  let contactId: string | null = ctrId(c.seq);
  if (c.variant === 'bad') {
    if (c.seq % 2 === 0) queueDuration = -c.wait - 1;
    else contactId = null;
  }
  const team = answered ? `team-${Math.floor((Number(c.agent.slice(1)) - 1) / 20)}` : undefined;
  return JSON.stringify({
    AWSAccountId: '123456789012',
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    InstanceARN: 'arn:aws:connect:ap-northeast-1:123456789012:instance/bench',
    ContactId: contactId,
    InitialContactId: null,
    PreviousContactId: null,
    InitiationMethod: method,
    Channel: 'VOICE',
    InitiationTimestamp: iso(c.start),
    ConnectedToSystemTimestamp: iso(c.start + 1_000),
    DisconnectTimestamp: iso(c.lastUpdated - c.acw * 1000),
    LastUpdateTimestamp: iso(c.lastUpdated + 30_000),
    DisconnectReason: c.outcome === 'failed' ? 'TELECOM_PROBLEM' : 'CUSTOMER_DISCONNECT',
    CustomerEndpoint: c.caller === 'anonymous' ? null : { Address: c.caller, Type: 'TELEPHONE_NUMBER' },
    SystemEndpoint: { Address: '+861088880000', Type: 'TELEPHONE_NUMBER' },
    Queue:
      c.direction === 'outbound'
        ? null
        : {
            ARN: `arn:aws:connect:ap-northeast-1:123456789012:instance/bench/queue/${c.queue}`,
            Name: c.queue,
            Duration: queueDuration,
            EnqueueTimestamp: iso(enq),
            DequeueTimestamp: iso(deq),
          },
    Agent: answered
      ? {
          ARN: `arn:aws:connect:ap-northeast-1:123456789012:instance/bench/agent/${c.agent}`,
          Username: c.agent,
          ConnectedToAgentTimestamp: iso(connected),
          AgentInteractionDuration: c.talk,
          CustomerHoldDuration: c.hold,
          AfterContactWorkDuration: c.acw,
          HierarchyGroups: { Level1: { GroupName: 'Bench centre' }, Level2: { GroupName: team } },
        }
      : null,
    Attributes: c.disposition ? { disposition: c.disposition } : {},
    Recording: null,
  });
}

async function writeLines(out: WriteStream | Gzip, lines: Iterable<string>, eol: string): Promise<void> {
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const ok = out.write(`${batch.join(eol)}${eol}`);
    batch = [];
    if (!ok) await once(out, 'drain');
  };
  for (const line of lines) {
    batch.push(line);
    if (batch.length >= 4096) await flush();
  }
  await flush();
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** The canonical CSV (CRLF, as Windows-side telephony exports write it); another seed, other contacts. */
export async function writeBenchCsv(path: string, rows: number, seed?: number): Promise<void> {
  const out = createWriteStream(path);
  await writeLines(
    out,
    (function* () {
      yield CSV_HEADER;
      for (const c of benchContacts(rows, seed)) yield csvRow(c);
    })(),
    '\r\n',
  );
  await finish(out);
}

/** The same contacts as Connect contact records, newline-delimited, gzip. */
export async function writeBenchCtr(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const gzip = createGzip({ level: 1 });
  gzip.pipe(out);
  await writeLines(
    gzip,
    (function* () {
      for (const c of benchContacts(rows)) yield ctrRecord(c);
    })(),
    '\n',
  );
  gzip.end();
  await once(out, 'finish');
}
