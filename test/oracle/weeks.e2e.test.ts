/**
 * The "done when" of issue 5, as a test: two weeks of demo exports in mixed formats (canonical
 * CSV, gzipped Amazon Connect contact records, Asterisk queue_log, rotating by day) plus
 * surveys, QA, roster and agent states go into the local bucket, and every KPI the API then
 * returns for every day, at centre, queue, team, agent and hour scope, is recomputed by an
 * independent reference (./reference.ts: its own readers and kpis.md's formulas, nothing
 * imported from functions/domain) and must match: counts exactly, ratios within 1e-9.
 *
 * The centre runs in America/New_York over 2025-10-27 … 2025-11-09, so the range contains the
 * 25-hour day when clocks go back (2025-11-02, a canonical-CSV day written in local time). The
 * dates are in the past so that no row is "more than one day in the future" whenever this runs.
 *
 * The demo has no transfers, no outbound calls, no duplicates and one roster, so a small
 * supplement (below) adds what a real export mix also carries: outbound campaigns (CSV with
 * BOM and `;`, Connect OUTBOUND/API), transfers in Connect (TRANSFER, QUEUE_TRANSFER) and in
 * queue_log (`{callid}#2`), callers written in national and 00-international form, an FCR
 * repeat after midnight, a contact re-sent with a newer, an older and an equal version, a
 * survey and a QA evaluation that arrive before their contact, an unmatched survey, a QA of an
 * unknown contact, a team from Connect hierarchy groups, an agent in no roster, and a roster
 * change that arrives last.
 *
 * Edges: all 14 days are compared. The usual reasons to skip the first and last day do not
 * apply to this data: FCR looks only forward (a contact is repeated by a LATER call), so the
 * first day needs nothing from the day before; on the last day the demo's calls stop at 20:00
 * local, the FCR window is 2 h, and the supplement adds nothing there, so nothing of the last
 * day depends on a day that is not loaded; and every file is in before the API is read. The
 * one cross-midnight repeat (2025-11-07 23:10 → 11-08 00:30) sits inside the range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../functions/demo/generate.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';
import {
  type ExportFile,
  metricExists,
  type RefInput,
  type RefItem,
  readExports,
  referenceKpis,
  SCOPES,
} from './reference.js';

const CENTER = 'demo';
const TIMEZONE = 'America/New_York';
const LAST_DAY = '2025-11-09';
const DAYS = 14;
const SEED = 917_331;
const TOLERANCE = 1e-9;

/** Metrics that are counts (compared exactly); all others are ratios, averages or seconds. */
const COUNTS = new Set([
  'offered',
  'answered',
  'abandoned',
  'short_abandoned',
  'handled',
  'agents_active',
  'fcr_eligible',
  'repeated',
  'csat_responses',
  'unmatched_surveys',
  'complaints',
  'qa_evaluations',
  'qa_fatal_errors',
  'outbound_attempts',
  'outbound_connected',
  'outbound_successes',
  'outbound_agents',
]);

interface ApiItem {
  scope: string;
  id: string;
  metrics: Record<string, number | null>;
}
interface ApiDay {
  date: string;
  items: ApiItem[];
  next: string | null;
}

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** A UTC instant from a local New York time with its offset (EST after 2025-11-02). */
const est = (local: string) => Date.parse(`${local}-05:00`);
const iso = (ms: number) => new Date(ms).toISOString();

/** Amazon Connect contact record with the fields interfaces.md §2.2 reads. */
function ctr(r: {
  id: string;
  method: string;
  initial?: string;
  at: string;
  caller?: string;
  queue?: { name: string; wait: number; ring: number } | null;
  agent?: string;
  hierarchy?: string[];
  talk?: number;
  hold?: number;
  acw?: number;
  reason?: string;
  disposition?: string;
  updatedLater?: number;
}): string {
  const start = est(r.at);
  const answeredAt = r.agent && r.queue ? start + r.queue.wait * 1000 : null;
  const levels = Object.fromEntries((r.hierarchy ?? []).map((g, i) => [`Level${i + 1}`, { GroupName: g }]));
  return JSON.stringify({
    AWSAccountId: '000000000000',
    ContactId: r.id,
    InitialContactId: r.initial ?? null,
    InitiationMethod: r.method,
    Channel: 'VOICE',
    InitiationTimestamp: iso(start),
    LastUpdateTimestamp: iso(start + 3_600_000 + (r.updatedLater ?? 0) * 1000),
    DisconnectReason: r.reason ?? 'CUSTOMER_DISCONNECT',
    CustomerEndpoint: r.caller ? { Address: r.caller, Type: 'TELEPHONE_NUMBER' } : null,
    Queue: r.queue
      ? {
          Name: r.queue.name,
          Duration: r.queue.wait,
          EnqueueTimestamp: iso(start),
          DequeueTimestamp: iso(start + (r.queue.wait - r.queue.ring) * 1000),
        }
      : null,
    Agent: r.agent
      ? {
          Username: r.agent,
          ConnectedToAgentTimestamp: answeredAt === null ? (r.talk ? iso(start) : null) : iso(answeredAt),
          AgentInteractionDuration: r.talk ?? 0,
          CustomerHoldDuration: r.hold ?? 0,
          AfterContactWorkDuration: r.acw ?? 0,
          HierarchyGroups: r.hierarchy ? levels : null,
        }
      : null,
    Attributes: r.disposition ? { disposition: r.disposition } : {},
  });
}

/**
 * What the demo lacks, written by hand (see the header). Uses a few rows of the demo's own
 * 2025-11-07 files (a canonical-CSV day) for the re-sent contacts, survey and evaluation.
 */
function supplement(demo: ExportFile[]): ExportFile[] {
  const text = (key: string) => String(demo.find((f) => f.key === key)?.body ?? '');
  const csvRows = text('cdr/demo/csv/2025-11-07.csv').trim().split('\r\n');
  const header = (csvRows[0] as string).split(',');
  const col = (name: string) => header.indexOf(name);
  const answered = csvRows
    .slice(1)
    .map((r) => r.split(','))
    .filter((r) => r[col('outcome')] === 'answered');
  const [newer, older, tie] = [answered[10], answered[20], answered[30]] as [string[], string[], string[]];
  const set = (row: string[], name: string, value: string | number) => {
    const copy = [...row];
    copy[col(name)] = String(value);
    return copy;
  };
  // A newer version (more wrap-up, a complaint code), an older one and an equal one (talk
  // changed): only the newer replaces the original; on the tie the greater object key wins,
  // which is the original's ('…/2025-11-07.csv' > '…/2025-11-07-corrections.csv').
  const corrections = [
    set(
      set(set(newer, 'acw_seconds', Number(newer[col('acw_seconds')]) + 60), 'disposition', 'complaint'),
      'last_updated_at',
      '2025-11-07 23:59:00',
    ),
    set(set(older, 'talk_seconds', 1), 'last_updated_at', older[col('initiated_at')] as string),
    set(tie, 'talk_seconds', Number(tie[col('talk_seconds')]) + 100),
  ];
  const [survey] = text('survey/demo/2025-11-07.csv').trim().split('\n').slice(1);
  const [evaluation] = text('qa/demo/2025-11-07.csv').trim().split('\n').slice(1);
  const surveyContact = (survey as string).split(',')[0];
  const [evalId, evalContact, evalAgent] = (evaluation as string).split(',');

  // Outbound campaign export: `;`, BOM, LF, no channel column, one timestamp with an offset.
  const outbound = ['2025-11-04', '2025-11-05'].flatMap((date) =>
    Array.from({ length: 12 }, (_, i) => {
      const outcome = (['connected', 'no_answer', 'busy', 'failed', 'connected'] as const)[i % 5];
      const at = `${date} ${String(9 + (i % 8)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}:00`;
      return [
        `ob-${date}-${i}`,
        'outbound',
        i % 3 === 0 ? '' : 'winback',
        ['A001', 'A008', 'A017', 'X901'][i % 4],
        `+86138000000${String(i).padStart(2, '0')}`,
        i === 5 ? `${at.replace(' ', 'T')}-05:00` : at,
        0,
        0,
        outcome === 'connected' ? 60 + i : 0,
        0,
        outcome === 'connected' ? 20 : 0,
        outcome,
        outcome === 'connected' ? ['sale', 'success', ''][i % 3] : '',
        at,
      ].join(';');
    }),
  );

  // queue_log: a transfer to another queue (`#2`), ring-no-answer, an exit by key, a short
  // timeout that is an FCR repeat of the first call (same caller: 0139… and 008613…), an exit
  // on an empty queue, and a line that carries nothing for the KPIs.
  const b = est('2025-11-05T10:00:00') / 1000;
  const queueLog = [
    [0, 'NONE|NONE|NONE|QUEUESTART|'],
    [10, 'qx-1|support|NONE|ENTERQUEUE||013900001111|1'],
    [14, 'qx-1|support|A005|RINGNOANSWER|4000'],
    [22, 'qx-1|support|A003|CONNECT|12|qx-1.1|4'],
    [222, 'qx-1|support|A003|TRANSFER|8001|from-internal|12|200'],
    [225, 'qx-1|billing|NONE|ENTERQUEUE||013900001111|1'],
    [245, 'qx-1|billing|A012|CONNECT|20|qx-1.2|5'],
    [395, 'qx-1|billing|A012|COMPLETEAGENT|20|150|1'],
    [600, 'qx-2|sales|NONE|ENTERQUEUE||13700002222|1'],
    [630, 'qx-2|sales|NONE|EXITWITHKEY|5|1|1|30'],
    [900, 'qx-4|complaints|NONE|ENTERQUEUE||008613900001111|1'],
    [903, 'qx-4|complaints|NONE|EXITWITHTIMEOUT|1|1|3'],
    [1200, 'qx-5|support|NONE|ENTERQUEUE||+8613700003333|1'],
    [1205, 'qx-5|support|A004|CONNECT|5|qx-5.1|2'],
    [1305, 'qx-5|support|A004|COMPLETECALLER|5|100|1'],
    [1500, 'qx-6|billing|NONE|ENTERQUEUE|||1'],
    [1520, 'qx-6|billing|NONE|EXITEMPTY|1|1|20'],
  ].map(([dt, rest]) => `${b + (dt as number)}|${rest}`);

  // Connect, concatenated with no separator: transfers, an agent known only by hierarchy groups,
  // outbound and API calls, an FCR repeat after midnight, and an older duplicate after its newer.
  const overflow = ['Contact centre', 'Night', 'Overflow'];
  const connect = [
    ctr({
      id: 'tx-in-1',
      method: 'INBOUND',
      at: '2025-11-07T14:00:00',
      caller: '+8613911112222',
      queue: { name: 'support', wait: 15, ring: 3 },
      agent: 'A010',
      talk: 200,
      acw: 30,
    }),
    ctr({
      id: 'tx-tr-1',
      method: 'TRANSFER',
      initial: 'tx-in-1',
      at: '2025-11-07T14:04:00',
      caller: '+8613911112222',
      queue: { name: 'retention', wait: 25, ring: 6 },
      agent: 'X900',
      hierarchy: overflow,
      talk: 300,
      hold: 20,
      acw: 40,
      disposition: 'complaint',
    }),
    ctr({
      id: 'tx-in-2',
      method: 'INBOUND',
      at: '2025-11-07T15:00:00',
      caller: '+8613933334444',
      queue: { name: 'billing', wait: 8, ring: 2 },
      agent: 'A011',
      talk: 90,
      acw: 25,
      updatedLater: 10,
    }),
    ctr({
      id: 'tx-tr-2',
      method: 'QUEUE_TRANSFER',
      initial: 'tx-in-2',
      at: '2025-11-07T15:05:00',
      caller: '+8613933334444',
      queue: { name: 'retention', wait: 50, ring: 0 },
    }),
    ctr({
      id: 'tx-tr-3',
      method: 'TRANSFER',
      initial: 'tx-in-2',
      at: '2025-11-07T15:20:00',
      caller: '+8613933334444',
      queue: { name: 'retention', wait: 3, ring: 0 },
    }),
    ctr({
      id: 'xd-1',
      method: 'INBOUND',
      at: '2025-11-07T23:10:00',
      caller: '+8613955556666',
      queue: { name: 'support', wait: 5, ring: 2 },
      agent: 'X900',
      hierarchy: overflow,
      talk: 100,
      acw: 10,
    }),
    ctr({
      id: 'xd-2',
      method: 'INBOUND',
      at: '2025-11-08T00:30:00',
      caller: '+8613955556666',
      queue: { name: 'support', wait: 40, ring: 0 },
    }),
    ctr({
      id: 'ob-c-1',
      method: 'OUTBOUND',
      at: '2025-11-07T16:00:00',
      caller: '+8613977778888',
      queue: { name: 'winback', wait: 0, ring: 0 },
      agent: 'A008',
      talk: 120,
      disposition: 'sale',
    }),
    ctr({
      id: 'ob-c-2',
      method: 'API',
      at: '2025-11-07T16:10:00',
      caller: '+8613977779999',
      reason: 'TELECOM_PROBLEM',
    }),
    ctr({
      id: 'ob-c-3',
      method: 'OUTBOUND',
      at: '2025-11-07T16:20:00',
      caller: '+8613977770000',
      queue: { name: 'winback', wait: 0, ring: 0 },
      agent: 'A008',
      talk: 0,
    }),
    ctr({
      id: 'tx-in-2',
      method: 'INBOUND',
      at: '2025-11-07T15:00:00',
      caller: '+8613933334444',
      queue: { name: 'billing', wait: 8, ring: 2 },
      agent: 'A011',
      talk: 999,
      acw: 25,
    }),
  ].join('');

  return [
    {
      key: 'cdr/demo/outbound/campaign-2025-11-04.csv',
      body: `\ufeff${[
        'contact_id;direction;queue;agent_id;caller;initiated_at;queue_seconds;ring_seconds;talk_seconds;hold_seconds;acw_seconds;outcome;disposition;last_updated_at',
        ...outbound,
      ].join('\n')}\n`,
    },
    { key: 'cdr/demo/asterisk/queue_log-extra-20251105', body: `${queueLog.join('\n')}\n` },
    // Before their contacts: a complaint survey on a transfer segment, a survey of the call that
    // is repeated after midnight, an unmatched survey, and a later response replacing a demo one.
    {
      key: 'survey/demo/extra-2025-11-07.csv',
      body: [
        'contact_id,responded_at,score,complaint,agent_id,queue',
        'tx-tr-1,2025-11-07 14:20:00,1,yes,X900,retention',
        'xd-1,2025-11-07 23:40:00,5,no,X900,support',
        'ghost-1,2025-11-07 12:00:00,3,false,,',
        `${surveyContact},2025-11-07 23:00:00,2,0,,`,
      ].join('\n'),
    },
    // An evaluation of an unknown contact, one at the pass mark on a transfer segment that
    // arrives later, and a re-evaluation replacing a demo one (same evaluation_id, later).
    {
      key: 'qa/demo/extra-2025-11-07.csv',
      body: [
        'evaluation_id,contact_id,agent_id,evaluated_at,score,fatal,form',
        'qx-e1,ghost-2,A010,2025-11-07 15:00:00,70,false,standard',
        'qx-e2,tx-tr-1,X900,2025-11-07 16:00:00,80,0,standard',
        `${evalId},${evalContact},${evalAgent},2025-11-07 23:30:00,50,true,standard`,
      ].join('\n'),
    },
    { key: 'cdr/demo/connect/extra/2025-11-07-transfers.json', body: connect },
    {
      key: 'cdr/demo/csv/2025-11-07-corrections.csv',
      body: `${[header.join('\t'), ...corrections.map((r) => r.join('\t'))].join('\r\n')}\r\n`,
    },
    // Last: A003 moves to team B from 2025-11-04 (the days before keep the first roster).
    { key: 'roster/demo/changes.csv', body: 'agent_id,team,effective_from\nA003,B,2025-11-04\n' },
  ];
}

const dates = Array.from({ length: DAYS }, (_, i) => addDays(LAST_DAY, i - (DAYS - 1)));

interface LedgerItem {
  key: string;
  status: string;
  rows_quarantined: number;
  reason?: string | null;
}

let p: TestPipeline;
let ledger: LedgerItem[] = [];
let putKeys: string[] = [];
let demoKeys: string[] = [];
let ref: RefInput;
const api = new Map<string, ApiDay>();
/** Comparisons made, by metric and scope, over all days. */
const compared = new Map<string, number>();
let comparedNonNull = 0;

/** Seconds spent in each phase of the load, for the log. */
const phases: string[] = [];

beforeAll(async () => {
  let t = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${((now - t) / 1000).toFixed(1)} s`);
    t = now;
  };
  const demo = generateDemo({ lastDay: LAST_DAY, days: DAYS, timezone: TIMEZONE, seed: SEED });
  const files = [...demo, ...supplement(demo)];
  demoKeys = demo.map((f) => f.key);
  phase('generate');
  ref = readExports(files);
  phase('reference read');
  p = await startTestPipeline();
  phase('pipeline start');
  // In the order a telephony system drops them (config first); the pipeline ingests FIFO.
  putKeys = files.map((f) => f.key);
  for (const f of files) await p.put(f.key, f.body);
  phase('put');
  await p.idle();
  phase('ingest + rollup');
  const listing = await p.get<{ items: LedgerItem[] }>(`/v1/centers/${CENTER}/files?limit=1000`);
  ledger = listing.body.items;
  for (const date of dates) {
    const r = await p.get<ApiDay>(`/v1/centers/${CENTER}/kpis?date=${date}&limit=1000`);
    if (r.status !== 200) throw new Error(`GET kpis ${date}: ${r.status} ${r.text}`);
    if (r.body.next) throw new Error(`GET kpis ${date}: more than one page`);
    api.set(date, r.body);
  }
  phase('API reads');
}, 120_000);

afterAll(async () => {
  await p?.cleanup();
  console.log(`oracle load: ${phases.join(', ')}`);
  const total = [...compared.values()].reduce((a, b) => a + b, 0);
  if (total > 0) {
    const perScope = SCOPES.map((scope) => {
      const keys = [...compared.keys()].filter((k) => k.endsWith(`@${scope}`));
      const values = keys.reduce((n, k) => n + (compared.get(k) ?? 0), 0);
      return `${scope} ${keys.length} metrics × ${values / Math.max(1, keys.length)} items`;
    });
    console.log(
      `oracle: ${total} values compared over ${api.size} days (${comparedNonNull} non-null): ${perScope.join('; ')}`,
    );
  }
});

function same(metric: string, expected: number | null, actual: number | null | undefined): boolean {
  if (expected === null || actual === null || actual === undefined) return expected === actual;
  if (COUNTS.has(metric)) return expected === actual;
  return Math.abs(expected - actual) <= TOLERANCE;
}

describe('two weeks of mixed-format exports, recomputed by hand', () => {
  it('the demo rotates all three CDR formats and the reference read them all', () => {
    const demoCdr = [...ref.cdrFormats.entries()].filter(([key]) => demoKeys.includes(key));
    expect(demoCdr).toHaveLength(DAYS);
    expect(new Set(demoCdr.map(([, format]) => format))).toEqual(new Set(['csv', 'connect', 'queue_log']));
    expect(ref.contacts.length).toBeGreaterThan(DAYS * 400);
  });

  it('the reference reads the supplement as intended (transfers, versions, callers)', () => {
    const contact = (id: string) => ref.contacts.find((c) => c.contactId === id);
    expect(contact('qx-1')).toMatchObject({
      direction: 'inbound',
      queue: 'support',
      agent: 'A003',
      talkSeconds: 200,
    });
    expect(contact('qx-1#2')).toMatchObject({ direction: 'transfer', queue: 'billing', queueSeconds: 20 });
    expect(contact('qx-4')).toMatchObject({
      outcome: 'abandoned',
      queueSeconds: 3,
      caller: contact('qx-1')?.caller,
    });
    expect(contact('tx-in-2')).toMatchObject({ talkSeconds: 90 });
    expect(contact('tx-tr-2')).toMatchObject({ direction: 'transfer', outcome: 'abandoned', agent: '' });
    expect(contact('ob-c-2')).toMatchObject({ direction: 'outbound', outcome: 'failed', agent: '' });
    expect(contact('xd-1')?.hierarchyTeam).toBe('Overflow');
    const corrections = ref.contacts.filter((c) => c.key.endsWith('-corrections.csv'));
    expect(corrections.map((c) => c.disposition)).toEqual(['complaint']);
  });

  it('the supplement cases, counted by hand on the API', () => {
    const item = (date: string, scope: string, id: string) => {
      const found = api.get(date)?.items.find((i) => i.scope === scope && i.id === id);
      if (!found) throw new Error(`no ${scope} ${id} on ${date}`);
      return found.metrics;
    };
    const total = (date: string, scope: string, metric: string, ids?: string[]) =>
      (api.get(date)?.items ?? [])
        .filter((i) => i.scope === scope && (!ids || ids.includes(i.id)))
        .reduce((s, i) => s + (i.metrics[metric] ?? 0), 0);
    // Connect transfers to `retention`: one answered (25 s), one abandoned, one short abandon.
    expect(item('2025-11-07', 'queue', 'retention')).toMatchObject({
      offered: 2,
      answered: 1,
      abandoned: 1,
      short_abandoned: 1,
      service_level: 0,
      handled: 1,
      aht_seconds: 300 + 20 + 40,
      fcr_eligible: 0,
      fcr_rate: null,
      csat_responses: 1,
      csat_avg: 1,
      complaints: 1,
      qa_evaluations: 1,
      qa_pass_rate: 1,
    });
    // X900 is in no roster: its team is the deepest Connect hierarchy group; no agent states.
    expect(item('2025-11-07', 'team', 'Overflow')).toMatchObject({
      handled: 2,
      agents_active: 1,
      fcr_eligible: 1,
      repeated: 1,
      complaints: 1,
      staffed_seconds: null,
      occupancy: null,
    });
    // 23:10 answered, the same caller again at 00:30 the next day: repeated across midnight.
    expect(item('2025-11-07', 'hour', '23')).toMatchObject({
      offered: 1,
      fcr_eligible: 1,
      repeated: 1,
      fcr_rate: 0,
    });
    expect(item('2025-11-08', 'hour', '00')).toMatchObject({ offered: 1, abandoned: 1, handled: 0 });
    expect(item('2025-11-07', 'center', CENTER)).toMatchObject({
      unmatched_surveys: 1,
      outbound_attempts: 3,
      outbound_connected: 1,
      outbound_successes: 1,
      outbound_agents: 1,
      outbound_attempts_per_agent: 3,
    });
    // The evaluation of an unknown contact counts at the centre but at no queue.
    expect(total('2025-11-07', 'queue', 'qa_evaluations')).toBe(
      (item('2025-11-07', 'center', CENTER).qa_evaluations ?? 0) - 1,
    );
    // queue_log's `qx-1#2` is a transfer: offered at its queue, not in the centre's offered.
    expect(total('2025-11-05', 'queue', 'offered')).toBe(
      (item('2025-11-05', 'center', CENTER).offered ?? 0) + 1,
    );
    for (const date of ['2025-11-04', '2025-11-05']) {
      expect(item(date, 'center', CENTER)).toMatchObject({ outbound_attempts: 12, outbound_agents: 4 });
      expect(item(date, 'queue', 'winback').outbound_attempts).toBe(8);
      expect(item(date, 'team', 'unassigned').outbound_attempts).toBe(3);
    }
    // The roster change: A003 is in team A up to 2025-11-03 and in team B from 2025-11-04.
    const agents = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `A${String(from + i).padStart(3, '0')}`);
    // The first roster (generate.ts agentsOf): A001–A006 team A, A007–A014 team B.
    const [a, b] = [agents(1, 6), agents(7, 14)];
    expect(item('2025-11-03', 'agent', 'A003').handled).toBeGreaterThan(0);
    expect(item('2025-11-03', 'team', 'A').handled).toBe(total('2025-11-03', 'agent', 'handled', a));
    expect(item('2025-11-05', 'agent', 'A003').handled).toBeGreaterThan(0);
    expect(item('2025-11-05', 'team', 'B').handled).toBe(
      total('2025-11-05', 'agent', 'handled', [...b, 'A003']),
    );
    expect(item('2025-11-05', 'team', 'A').handled).toBe(
      total(
        '2025-11-05',
        'agent',
        'handled',
        a.filter((x) => x !== 'A003'),
      ),
    );
  });

  it('the pipeline processed every file without quarantining a row', () => {
    expect(ledger.map((f) => f.key).sort()).toEqual([...putKeys].sort());
    for (const f of ledger)
      expect({ key: f.key, status: f.status, q: f.rows_quarantined }).toEqual({
        key: f.key,
        status: 'processed',
        q: 0,
      });
  });

  it.each(dates)('%s: every KPI the API returns equals the reference', (date) => {
    const day = api.get(date) as ApiDay;
    const expected = referenceKpis(ref, date);
    const problems: string[] = [];
    for (const scope of SCOPES) {
      const want = expected.filter((i) => i.scope === scope);
      const got = day.items.filter((i) => i.scope === scope);
      const wantIds = want.map((i) => i.id).sort();
      const gotIds = got.map((i) => i.id).sort();
      if (JSON.stringify(wantIds) !== JSON.stringify(gotIds))
        problems.push(`${scope} ids: expected ${wantIds.join(',')} got ${gotIds.join(',')}`);
      for (const w of want) {
        const g = got.find((i) => i.id === w.id);
        if (!g) continue;
        problems.push(...compareItem(w, g));
      }
    }
    expect(problems).toEqual([]);
  });
});

function compareItem(want: RefItem, got: ApiItem): string[] {
  const problems: string[] = [];
  const names = new Set([...Object.keys(want.metrics), ...Object.keys(got.metrics)]);
  for (const metric of names) {
    const where = `${metric} @ ${want.scope}:${want.id}`;
    if (!(metric in want.metrics)) {
      problems.push(
        metricExists(metric, want.scope)
          ? `${where}: the reference does not compute it`
          : `${where}: published at a scope kpis.md does not give it`,
      );
      continue;
    }
    const e = want.metrics[metric] ?? null;
    const a = got.metrics[metric];
    const key = `${metric}@${want.scope}`;
    compared.set(key, (compared.get(key) ?? 0) + 1);
    if (e !== null) comparedNonNull++;
    if (!same(metric, e, a)) problems.push(`${where}: expected ${e} got ${a}`);
  }
  return problems;
}
