/**
 * A realistic demo centre (`demo`): several weeks of exports in all three CDR formats —
 * canonical CSV, Amazon Connect contact records (gzip NDJSON) and Asterisk queue_log, rotating
 * by day — plus surveys, QA evaluations, a roster and agent states. Deterministic for a seed,
 * so the numbers a newcomer sees can be recomputed from the files.
 */
import { gzipSync } from 'node:zlib';
import { addDays, localDayBounds, localTimestamp as localStamp } from '../domain/time.js';

export interface DemoFile {
  key: string;
  body: string | Buffer;
}

export interface DemoOptions {
  center?: string;
  timezone?: string;
  /** Last day of history (local date); usually the centre's yesterday. */
  lastDay: string;
  days?: number;
  /** Contacts on an average weekday. */
  dailyVolume?: number;
  seed?: number;
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

const QUEUES = ['sales', 'support', 'billing', 'complaints'] as const;
const TEAMS = ['A', 'B', 'C', 'D'] as const;
const AGENTS_PER_TEAM = 8;
/** Share of the day's calls arriving in each local hour 08–19. */
const HOURLY = [0.05, 0.09, 0.11, 0.1, 0.08, 0.07, 0.09, 0.1, 0.1, 0.09, 0.07, 0.05];

interface DemoContact {
  id: string;
  direction: 'inbound' | 'transfer';
  queue: string;
  agent: string;
  caller: string;
  start: number;
  wait: number;
  ring: number;
  talk: number;
  hold: number;
  acw: number;
  answered: boolean;
  disposition: string;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function agentsOf(): Array<{ id: string; team: string }> {
  return TEAMS.flatMap((team, t) =>
    Array.from({ length: AGENTS_PER_TEAM }, (_, i) => ({
      id: `A${pad(t * AGENTS_PER_TEAM + i + 1, 3)}`,
      team,
    })),
  );
}

function dayContacts(date: string, o: Required<DemoOptions>, rand: () => number): DemoContact[] {
  const { start } = localDayBounds(date, o.timezone);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const volume = Math.round(
    o.dailyVolume * (weekday === 0 || weekday === 6 ? 0.55 : 1) * (0.9 + rand() * 0.2),
  );
  const agents = agentsOf();
  const callers = Array.from({ length: 3000 }, (_, i) => `+86138${pad(10_000_000 + i * 7919, 8).slice(-8)}`);
  const out: DemoContact[] = [];
  let n = 0;
  HOURLY.forEach((share, h) => {
    const calls = Math.round(volume * share);
    for (let i = 0; i < calls; i++) {
      const t = start + (8 + h) * 3_600_000 + Math.floor(rand() * 3_600_000);
      const queue = QUEUES[Math.floor(rand() ** 1.5 * QUEUES.length)] as string;
      const wait = Math.round(-Math.log(1 - rand()) * 14);
      const patience = Math.round(-Math.log(1 - rand()) * 90) + 3;
      const answered = wait <= patience;
      const agent = agents[Math.floor(rand() * agents.length)] as { id: string; team: string };
      const base = queue === 'complaints' ? 260 : queue === 'sales' ? 150 : 190;
      const talk = answered ? Math.round(base * (0.5 + rand())) : 0;
      const repeat = rand() < 0.12 && out.length > 0;
      const caller = repeat
        ? (out[Math.floor(rand() * out.length)] as DemoContact).caller
        : (callers[Math.floor(rand() * callers.length)] as string);
      out.push({
        id: `${date.replace(/-/g, '')}-${pad(++n, 5)}`,
        direction: 'inbound',
        queue,
        agent: answered ? agent.id : '',
        caller: rand() < 0.03 ? 'anonymous' : caller,
        start: t,
        wait: answered ? wait : patience,
        ring: answered ? Math.min(wait, Math.round(rand() * 8)) : 0,
        talk,
        hold: answered && rand() < 0.2 ? Math.round(rand() * 60) : 0,
        acw: answered ? Math.round(15 + rand() * 30) : 0,
        answered,
        disposition:
          answered && rand() < 0.004
            ? 'complaint'
            : answered && queue === 'sales' && rand() < 0.3
              ? 'sale'
              : '',
      });
    }
  });
  return out.sort((a, b) => a.start - b.start);
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

function connectCtr(contacts: DemoContact[]): Buffer {
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = contacts.map((c) => {
    const enq = c.start + 5_000;
    const deq = enq + (c.wait - c.ring) * 1000;
    const connected = deq + c.ring * 1000;
    const team = agentsOf().find((a) => a.id === c.agent)?.team;
    return JSON.stringify({
      AWSAccountId: '000000000000',
      ContactId: `ctr-${c.id}`,
      InitialContactId: null,
      InitiationMethod: 'INBOUND',
      Channel: 'VOICE',
      InitiationTimestamp: iso(c.start),
      DisconnectTimestamp: iso(connected + (c.talk + c.hold) * 1000),
      LastUpdateTimestamp: iso(connected + (c.talk + c.hold + c.acw) * 1000 + 60_000),
      DisconnectReason: c.answered ? 'CUSTOMER_DISCONNECT' : 'CUSTOMER_DISCONNECT',
      CustomerEndpoint: c.caller === 'anonymous' ? null : { Address: c.caller, Type: 'TELEPHONE_NUMBER' },
      Queue: {
        Name: c.queue,
        Duration: c.wait,
        EnqueueTimestamp: iso(enq),
        DequeueTimestamp: iso(enq + c.wait * 1000),
      },
      Agent: c.answered
        ? {
            Username: c.agent,
            ConnectedToAgentTimestamp: iso(enq + (c.wait + c.ring) * 1000),
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

function queueLog(contacts: DemoContact[]): string {
  const lines: Array<[number, string]> = [];
  for (const c of contacts) {
    const s = Math.floor(c.start / 1000);
    const agent = c.agent ? `SIP/${c.agent}` : 'NONE';
    const cid = `ql-${c.id}`;
    lines.push([s, `${s}|${cid}|${c.queue}|NONE|ENTERQUEUE||${c.caller === 'anonymous' ? '' : c.caller}|1`]);
    if (c.answered) {
      lines.push([
        s + c.wait,
        `${s + c.wait}|${cid}|${c.queue}|${agent}|CONNECT|${c.wait}|${cid}.1|${c.ring}`,
      ]);
      lines.push([
        s + c.wait + c.talk,
        `${s + c.wait + c.talk}|${cid}|${c.queue}|${agent}|COMPLETECALLER|${c.wait}|${c.talk}|1`,
      ]);
    } else {
      lines.push([s + c.wait, `${s + c.wait}|${cid}|${c.queue}|NONE|ABANDON|1|1|${c.wait}`]);
    }
  }
  lines.sort((a, b) => a[0] - b[0]);
  return `${lines.map((l) => l[1]).join('\n')}\n`;
}

/** Every file of the demo centre, in the order a telephony system would drop them. */
export function generateDemo(options: DemoOptions): DemoFile[] {
  const o: Required<DemoOptions> = {
    center: 'demo',
    timezone: 'Asia/Shanghai',
    days: 35,
    dailyVolume: 600,
    seed: 20261122,
    ...options,
  };
  const rand = rng(o.seed);
  const files: DemoFile[] = [];
  files.push({
    key: `config/centers/${o.center}.json`,
    body: JSON.stringify(
      {
        timezone: o.timezone,
        preset: 'recommended',
        parameters: { default_country_code: '86' },
        targets: { aht_seconds: { between: [120, 300] }, service_level: { gte: 0.8 } },
        overrides: [{ scope: 'queue', id: 'complaints', targets: { aht_seconds: { between: [180, 420] } } }],
        recipients: [
          { email: 'ops-director@example.com', scopes: [{ scope: 'center' }] },
          { email: 'team-b-lead@example.com', scopes: [{ scope: 'team', id: 'B' }] },
        ],
      },
      null,
      2,
    ),
  });
  const agents = agentsOf();
  files.push({
    key: `roster/${o.center}/roster.csv`,
    body: `agent_id,team,name,supervisor\n${agents.map((a) => `${a.id},${a.team},Agent ${a.id},lead-${a.team}`).join('\n')}\n`,
  });
  const first = addDays(o.lastDay, -(o.days - 1));
  for (let d = 0; d < o.days; d++) {
    const date = addDays(first, d);
    const contacts = dayContacts(date, o, rand);
    const compact = date.replace(/-/g, '');
    if (d % 3 === 0)
      files.push({ key: `cdr/${o.center}/csv/${date}.csv`, body: canonicalCsv(contacts, o.timezone) });
    else if (d % 3 === 1)
      files.push({
        key: `cdr/${o.center}/connect/${date.replace(/-/g, '/')}/ctr-${compact}.json.gz`,
        body: connectCtr(contacts),
      });
    else files.push({ key: `cdr/${o.center}/asterisk/queue_log-${compact}`, body: queueLog(contacts) });
    const idOf = (c: DemoContact) => (d % 3 === 0 ? c.id : d % 3 === 1 ? `ctr-${c.id}` : `ql-${c.id}`);
    const answered = contacts.filter((c) => c.answered);
    const surveys = answered.filter(() => rand() < 0.2);
    files.push({
      key: `survey/${o.center}/${date}.csv`,
      body: `contact_id,responded_at,score,complaint,comment\n${surveys
        .map((c) => {
          const score = Math.max(1, Math.min(5, Math.round(4.3 - rand() * 2.2 + (c.talk > 300 ? -1 : 0))));
          return `${idOf(c)},${localStamp(c.start + 600_000, o.timezone)},${score},${score === 1 && rand() < 0.3},"free text, never stored"`;
        })
        .join('\n')}\n`,
    });
    const reviewed = answered.filter(() => rand() < 0.04);
    files.push({
      key: `qa/${o.center}/${date}.csv`,
      body: `evaluation_id,contact_id,agent_id,evaluated_at,score,fatal,form\n${reviewed
        .map(
          (c, i) =>
            `qa-${compact}-${i},${idOf(c)},${c.agent},${localStamp(c.start + 7_200_000, o.timezone)},${Math.round(70 + rand() * 30)},${rand() < 0.02},standard`,
        )
        .join('\n')}\n`,
    });
    if (d % 3 !== 2) {
      // Agent states for the CSV and Connect days (queue_log days carry none).
      const { start } = localDayBounds(date, o.timezone);
      const rows = agents.map((a, i) => {
        const s = start + (8 + (i % 3)) * 3_600_000;
        return [
          `${a.id},staffed,${localStamp(s, o.timezone)},${localStamp(s + 8 * 3_600_000, o.timezone)}`,
          `${a.id},break,${localStamp(s + 4 * 3_600_000, o.timezone)},${localStamp(s + 4.5 * 3_600_000, o.timezone)}`,
        ].join('\n');
      });
      files.push({
        key: `agent-states/${o.center}/${date}.csv`,
        body: `agent_id,state,start,end\n${rows.join('\n')}\n`,
      });
    }
  }
  return files;
}
