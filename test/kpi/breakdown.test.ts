import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BreakdownCell,
  CHILD_DIMENSIONS,
  type ParentScope,
} from '../../functions/domain/kpi/breakdown.js';
import { type MetricDefinition, metricsAtScope } from '../../functions/domain/kpi/catalog.js';
import {
  computeDayKpis,
  computeDayKpisWithBreakdown,
  type DayInput,
  type KpiRecord,
} from '../../functions/domain/kpi/rollup.js';
import type { ContactRecord } from '../../functions/domain/records.js';
import { localDayBounds } from '../../functions/domain/time.js';
import { contact, dayInput, evaluation, find, local, params, rosterRow, state, survey } from './factories.js';

const DATE = '2026-03-10';
const at = (time: string) => local(`${DATE} ${time}`);

const day = (partial: Partial<DayInput>): DayInput => dayInput(DATE, partial);

function cell(
  cells: BreakdownCell[],
  parentScope: ParentScope,
  parentId: string,
  dimension: BreakdownCell['dimension'],
  id: string,
): Record<string, number | null> {
  const c = cells.find(
    (x) =>
      x.parent_scope === parentScope && x.parent_id === parentId && x.dimension === dimension && x.id === id,
  );
  if (!c) throw new Error(`no cell ${parentScope} ${parentId} → ${dimension} ${id}`);
  return c.metrics;
}

function childIds(
  cells: BreakdownCell[],
  parentScope: ParentScope,
  parentId: string,
  dimension: BreakdownCell['dimension'],
): string[] {
  return cells
    .filter((x) => x.parent_scope === parentScope && x.parent_id === parentId && x.dimension === dimension)
    .map((x) => x.id);
}

/**
 * A hand-made day in Asia/Shanghai. Agents: A1 (roster Alpha), A2 (roster Beta), A3 (no roster:
 * unassigned).
 */
const handMade = day({
  contacts: [
    contact({
      contact_id: 'k1',
      queue: 'sales',
      agent_id: 'A1',
      caller_token: 'T1',
      initiated_at: at('09:10'),
      queue_seconds: 10,
      talk_seconds: 100,
    }),
    contact({
      contact_id: 'k2',
      queue: 'sales',
      outcome: 'abandoned',
      initiated_at: at('09:20'),
      queue_seconds: 30,
    }),
    // A transfer: offered to sales (so in sales' 09 hour) but not to the centre.
    contact({
      contact_id: 'k3',
      direction: 'transfer',
      queue: 'sales',
      agent_id: 'A2',
      initiated_at: at('09:40'),
      queue_seconds: 5,
      talk_seconds: 200,
    }),
    contact({
      contact_id: 'k4',
      queue: 'support',
      agent_id: 'A2',
      caller_token: 'T2',
      initiated_at: at('10:05'),
      queue_seconds: 40,
      talk_seconds: 300,
      hold_seconds: 60,
    }),
    contact({
      contact_id: 'k5',
      queue: 'support',
      outcome: 'abandoned',
      initiated_at: at('10:30'),
      queue_seconds: 2,
    }),
    // T1 again 100 min after k1: k1 is a repeat.
    contact({
      contact_id: 'k8',
      queue: 'sales',
      agent_id: 'A3',
      caller_token: 'T1',
      initiated_at: at('10:50'),
      queue_seconds: 15,
      talk_seconds: 80,
    }),
    contact({
      contact_id: 'k6',
      direction: 'outbound',
      queue: 'campaign',
      agent_id: 'A1',
      outcome: 'connected',
      disposition: 'sale',
      initiated_at: at('11:00'),
    }),
    // Handled without a queue: in the centre's hours and teams, in no queue cell.
    contact({ contact_id: 'k7', queue: '', agent_id: 'A3', initiated_at: at('11:15'), talk_seconds: 50 }),
  ],
  surveys: [
    survey({ contact_id: 'k1', score: 5, responded_at: at('12:00') }),
    survey({ contact_id: 'k4', score: 2, complaint: true, responded_at: at('12:00') }),
  ],
  qa: [
    evaluation({
      evaluation_id: 'e1',
      contact_id: 'k1',
      agent_id: 'A1',
      evaluated_at: at('15:00'),
      score: 90,
    }),
    // No agent on the form: the contact's agent A2 is credited.
    evaluation({ evaluation_id: 'e2', contact_id: 'k3', evaluated_at: at('15:00'), score: 70 }),
    // Unknown contact: centre, team Alpha and A1 only — no queue, no hour.
    evaluation({
      evaluation_id: 'e3',
      contact_id: 'gone',
      agent_id: 'A1',
      evaluated_at: at('16:00'),
      score: 85,
    }),
  ],
  roster: [rosterRow('A1', 'Alpha'), rosterRow('A2', 'Beta')],
  agentStates: [
    // A1: 08:00–12:00 minus a 10:00–10:30 break = 12 600 s; A2: 09:30–10:30 = 3 600 s.
    state('A1', 'staffed', at('08:00'), at('12:00')),
    state('A1', 'break', at('10:00'), at('10:30')),
    state('A2', 'staffed', at('09:30'), at('10:30')),
  ],
});

describe('computeDayKpisWithBreakdown on a hand-made day', () => {
  const { records, breakdown } = computeDayKpisWithBreakdown(handMade);
  const { cells } = breakdown;

  it('returns exactly the records of computeDayKpis', () => {
    expect(records).toEqual(computeDayKpis(handMade));
  });

  it('lists every child of every parent, ids sorted', () => {
    expect(childIds(cells, 'center', 'c1', 'queue')).toEqual(['campaign', 'sales', 'support']);
    expect(childIds(cells, 'center', 'c1', 'team')).toEqual(['Alpha', 'Beta', 'unassigned']);
    expect(childIds(cells, 'center', 'c1', 'hour')).toEqual(['09', '10', '11']);
    expect(childIds(cells, 'queue', 'sales', 'team')).toEqual(['Alpha', 'Beta', 'unassigned']);
    expect(childIds(cells, 'queue', 'sales', 'agent')).toEqual(['A1', 'A2', 'A3']);
    expect(childIds(cells, 'queue', 'sales', 'hour')).toEqual(['09', '10']);
    expect(childIds(cells, 'team', 'Alpha', 'agent')).toEqual(['A1']);
    expect(childIds(cells, 'team', 'Alpha', 'queue')).toEqual(['campaign', 'sales']);
    expect(childIds(cells, 'team', 'Alpha', 'hour')).toEqual(['09', '11']);
    expect(childIds(cells, 'team', 'unassigned', 'queue')).toEqual(['sales']);
    // Parents in order centre, queues, teams; dimensions in CHILD_DIMENSIONS order.
    const order = [...new Set(cells.map((c) => `${c.parent_scope} ${c.parent_id} ${c.dimension}`))];
    expect(order.slice(0, 6)).toEqual([
      'center c1 queue',
      'center c1 team',
      'center c1 hour',
      'queue campaign team',
      'queue campaign agent',
      'queue campaign hour',
    ]);
  });

  it('counts a queue inside the centre on inbound segments only, but handles its transfers', () => {
    const sales = cell(cells, 'center', 'c1', 'queue', 'sales');
    // Inbound to sales: k1 answered 10 s, k2 abandoned 30 s, k8 answered 15 s; k3 is a transfer.
    expect(sales).toMatchObject({
      offered: 3,
      answered: 2,
      abandoned: 1,
      service_level: 2 / 3,
      asa_seconds: (10 + 15) / 2,
      avg_queue_seconds: (10 + 30 + 15) / 3,
      // Handled: k1, k3 (the transfer), k8.
      handled: 3,
      aht_seconds: (100 + 200 + 80) / 3,
      agents_active: 3,
      fcr_eligible: 2,
      repeated: 1,
      csat_responses: 1,
      csat_avg: 5,
      qa_evaluations: 2,
      qa_avg_score: (90 + 70) / 2,
      outbound_attempts: 0,
      unmatched_surveys: 0,
      occupancy: null,
      staffed_seconds: null,
    });
    // The queue's own record also offers the transfer.
    expect(find(records, 'queue', 'sales').offered).toBe(4);
    expect(cell(cells, 'center', 'c1', 'queue', 'support')).toMatchObject({
      offered: 1,
      short_abandoned: 1,
      service_level: 0,
      handled: 1,
      complaints: 1,
      csat_avg: 2,
    });
    expect(cell(cells, 'center', 'c1', 'queue', 'campaign')).toMatchObject({
      offered: 0,
      answer_rate: null,
      outbound_attempts: 1,
      outbound_successes: 1,
      outbound_agents: 1,
      outbound_attempts_per_agent: 1,
    });
  });

  it('counts the transfer in the queue’s hour', () => {
    // k1, k2 and the transfer k3.
    expect(cell(cells, 'queue', 'sales', 'hour', '09')).toMatchObject({
      offered: 3,
      answered: 2,
      service_level: 2 / 3,
      handled: 2,
      agents_active: 2,
      qa_evaluations: 2,
    });
    expect(cell(cells, 'queue', 'sales', 'hour', '10')).toMatchObject({ offered: 1, handled: 1 });
    expect(cell(cells, 'queue', 'campaign', 'hour', '11')).toMatchObject({
      offered: 0,
      outbound_attempts: 1,
    });
  });

  it('splits a queue by agent and team on handled, quality and outbound only', () => {
    expect(cell(cells, 'queue', 'sales', 'agent', 'A1')).toMatchObject({
      offered: 0,
      handled: 1,
      agents_active: 1,
      fcr_eligible: 1,
      repeated: 1,
      fcr_rate: 0,
      csat_responses: 1,
      qa_evaluations: 1,
      qa_avg_score: 90,
    });
    // e2 names no agent: the contact's agent A2 is credited.
    expect(cell(cells, 'queue', 'sales', 'agent', 'A2')).toMatchObject({ handled: 1, qa_evaluations: 1 });
    expect(cell(cells, 'queue', 'sales', 'team', 'Beta')).toEqual(
      cell(cells, 'queue', 'sales', 'agent', 'A2'),
    );
    expect(cell(cells, 'queue', 'sales', 'team', 'unassigned')).toMatchObject({
      handled: 1,
      aht_seconds: 80,
    });
    expect(cell(cells, 'queue', 'campaign', 'agent', 'A1')).toMatchObject({
      handled: 0,
      agents_active: 0,
      outbound_attempts: 1,
      outbound_agents: 1,
    });
  });

  it('gives a team its agents’ records, and its population by queue and hour', () => {
    const a1 = find(records, 'agent', 'A1');
    expect(cell(cells, 'team', 'Alpha', 'agent', 'A1')).toEqual(a1);
    expect(a1).toMatchObject({ qa_evaluations: 2, staffed_seconds: 12_600, occupancy: 100 / 12_600 });
    // e3's contact is unknown: in the team, in none of its queues or hours.
    expect(cell(cells, 'team', 'Alpha', 'queue', 'sales')).toMatchObject({
      handled: 1,
      qa_evaluations: 1,
      staffed_seconds: null,
      occupancy: null,
    });
    expect(cell(cells, 'team', 'Alpha', 'queue', 'campaign')).toMatchObject({
      handled: 0,
      outbound_attempts: 1,
    });
    expect(cell(cells, 'team', 'Alpha', 'hour', '09')).toMatchObject({ handled: 1, qa_evaluations: 1 });
    expect(cell(cells, 'team', 'Alpha', 'hour', '11')).toMatchObject({ handled: 0, outbound_attempts: 1 });
    // Team → queue is queue → team seen from the team (team scope: no queue side).
    const betaSales = cell(cells, 'team', 'Beta', 'queue', 'sales');
    expect(betaSales).not.toHaveProperty('offered');
    for (const [name, v] of Object.entries(betaSales)) {
      if (name in cell(cells, 'queue', 'sales', 'team', 'Beta')) {
        expect(v, name).toBe(cell(cells, 'queue', 'sales', 'team', 'Beta')[name]);
      }
    }
    expect(cell(cells, 'team', 'Beta', 'hour', '10')).toMatchObject({
      handled: 1,
      aht_seconds: 360,
      complaints: 1,
    });
  });

  it('gives the centre its teams’ and hours’ records, staffed time included for teams', () => {
    for (const team of ['Alpha', 'Beta', 'unassigned']) {
      const c = cell(cells, 'center', 'c1', 'team', team);
      for (const [name, v] of Object.entries(find(records, 'team', team))) expect(c[name], name).toBe(v);
      expect(c.offered).toBe(0);
    }
    expect(cell(cells, 'center', 'c1', 'team', 'Beta')).toMatchObject({
      staffed_seconds: 3_600,
      handle_seconds: 560,
      occupancy: 560 / 3_600,
    });
    for (const hour of ['09', '10', '11']) {
      const c = cell(cells, 'center', 'c1', 'hour', hour);
      for (const [name, v] of Object.entries(find(records, 'hour', hour))) expect(c[name], name).toBe(v);
      expect(c.occupancy).toBeNull();
    }
  });

  it('averages the agents staffed in every local hour of the day', () => {
    const byHour = breakdown.staffed_agents_by_hour;
    expect(Object.keys(byHour)).toHaveLength(24);
    expect(byHour).toMatchObject({ '07': 0, '08': 1, '09': 1.5, '10': 1, '11': 1, '12': 0 });
  });
});

describe('computeDayKpisWithBreakdown edge cases', () => {
  it('gives nothing for a day without data', () => {
    expect(computeDayKpisWithBreakdown(day({}))).toEqual({
      records: [],
      breakdown: { cells: [], staffed_agents_by_hour: {} },
    });
  });

  it('has no staffing by hour without agent states', () => {
    const r = computeDayKpisWithBreakdown(
      day({ contacts: [contact({ contact_id: 'k', agent_id: 'A', initiated_at: at('09:00') })] }),
    );
    expect(r.breakdown.staffed_agents_by_hour).toEqual({});
  });

  it('adds both 01:00 hours of a fall-back day into 01, overlapping intervals once', () => {
    const NY = 'America/New_York';
    const r = computeDayKpisWithBreakdown(
      day({
        date: '2026-11-01',
        params: params(NY),
        agentStates: [
          // 00:00 EDT – 03:00 EST: four real hours, two of them 01:xx.
          state('A', 'staffed', Date.parse('2026-11-01T04:00:00Z'), Date.parse('2026-11-01T08:00:00Z')),
          state('A', 'staffed', Date.parse('2026-11-01T04:30:00Z'), Date.parse('2026-11-01T05:00:00Z')),
          // 02:00–02:15 EST on a break.
          state('A', 'break', Date.parse('2026-11-01T07:00:00Z'), Date.parse('2026-11-01T07:15:00Z')),
        ],
      }),
    );
    const byHour = r.breakdown.staffed_agents_by_hour;
    expect(Object.keys(byHour)).toHaveLength(24);
    expect(byHour).toMatchObject({ '00': 1, '01': 2, '02': 0.75, '03': 0 });
  });
});

// Property tests on a 25-hour day.
const PDATE = '2026-11-01';
const TZ = 'America/New_York';
const { start, end } = localDayBounds(PDATE, TZ);
const HOUR = 3_600_000;

/**
 * Random small days. `complete`: every segment has a queue, every handled or outbound segment
 * an agent, every evaluation an agent and every survey a contact, so that every split is total.
 */
const arbitraryDay = (complete: boolean) =>
  fc
    .record({
      segments: fc.array(
        fc.record({
          direction: fc.constantFrom('inbound', 'inbound', 'transfer', 'outbound'),
          queue: complete ? fc.constantFrom('q1', 'q2', 'q3') : fc.constantFrom('', 'q1', 'q2', 'q3'),
          agent: complete
            ? fc.constantFrom('a1', 'a2', 'a3', 'a4', 'a5')
            : fc.constantFrom('', 'a1', 'a2', 'a3', 'a4', 'a5'),
          caller: fc.constantFrom('', 't1', 't2', 't3'),
          offsetMs: fc.integer({ min: 0, max: end - start + 2 * HOUR }),
          queueSeconds: fc.integer({ min: 0, max: 60 }),
          talk: fc.integer({ min: 0, max: 600 }),
          hold: fc.integer({ min: 0, max: 60 }),
          acw: fc.integer({ min: 0, max: 60 }),
          ring: fc.integer({ min: 0, max: 30 }),
          inboundAnswered: fc.boolean(),
          outboundOutcome: fc.constantFrom('connected', 'no_answer', 'busy', 'failed'),
          disposition: fc.constantFrom('', 'complaint', 'sale', 'other'),
          hint: fc.constantFrom(undefined, 'H1', 'H2'),
        }),
        { maxLength: 40 },
      ),
      surveyed: fc.uniqueArray(
        fc.record({ n: fc.nat(60), score: fc.integer({ min: 1, max: 5 }), complaint: fc.boolean() }),
        { selector: (s) => s.n, maxLength: 10 },
      ),
      evaluated: fc.array(
        fc.record({
          n: fc.nat(60),
          agent: complete ? fc.constantFrom('a1', 'a2', 'a6') : fc.constantFrom('', 'a1', 'a2', 'a6'),
          score: fc.nat(100),
          fatal: fc.boolean(),
        }),
        { maxLength: 10 },
      ),
      staffed: fc.array(
        fc.record({
          agent: fc.constantFrom('a1', 'a2', 'a7'),
          from: fc.nat(30),
          hours: fc.integer({ min: 1, max: 10 }),
          onBreak: fc.boolean(),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ segments, surveyed, evaluated, staffed }): DayInput => {
      const contacts = segments.map((s, i): ContactRecord => {
        const outbound = s.direction === 'outbound';
        return contact({
          contact_id: `c${i}`,
          direction: s.direction as ContactRecord['direction'],
          queue: s.queue,
          agent_id: s.agent,
          caller_token: s.caller,
          initiated_at: start + s.offsetMs,
          queue_seconds: s.queueSeconds,
          ring_seconds: s.ring,
          talk_seconds: s.talk,
          hold_seconds: s.hold,
          acw_seconds: s.acw,
          outcome: outbound
            ? (s.outboundOutcome as ContactRecord['outcome'])
            : s.inboundAnswered
              ? 'answered'
              : 'abandoned',
          disposition: s.disposition,
          ...(s.hint ? { team_hint: s.hint } : {}),
        });
      });
      // A complete day's surveys and evaluations are of its segments.
      const known = ({ n }: { n: number }) => !complete || n < contacts.length;
      return {
        center: 'c1',
        date: PDATE,
        params: params(TZ),
        contacts,
        surveys: surveyed.filter(known).map((s, i) =>
          survey({
            contact_id: `c${s.n}`,
            score: s.score,
            complaint: s.complaint,
            responded_at: start + i * HOUR,
          }),
        ),
        qa: evaluated.filter(known).map((e, i) =>
          evaluation({
            evaluation_id: `e${i}`,
            contact_id: `c${e.n}`,
            agent_id: e.agent,
            score: e.score,
            fatal: e.fatal,
            evaluated_at: start + i * HOUR,
          }),
        ),
        roster: [rosterRow('a1', 'R1'), rosterRow('a2', 'R2', '2026-10-01')],
        agentStates: staffed.flatMap((s) => {
          const from = start + (s.from - 5) * HOUR;
          const to = from + s.hours * HOUR;
          return [
            state(s.agent, 'staffed', from, to),
            ...(s.onBreak ? [state(s.agent, 'break', from + HOUR / 2, from + HOUR)] : []),
          ];
        }),
      };
    });

const STAFFED = new Set(['staffed_seconds', 'handle_seconds', 'occupancy']);
const QA = new Set(['qa_evaluations', 'qa_avg_score', 'qa_pass_rate', 'qa_fatal_errors']);
const AGENT_KEYED = new Set(['team', 'agent']);

/**
 * The additive quantity of a metric in a record: a count or sum as is, a ratio's numerator as
 * value × denominator; null for the distinct-agent counts and per-agent ratios, which do not add.
 */
function additive(def: MetricDefinition, metrics: Record<string, number | null>): number | null {
  const v = metrics[def.name] ?? null;
  if (def.unit === 'agents' || def.unit === 'per_agent') return null;
  if (!def.denominator) return v ?? 0;
  const d = metrics[def.denominator] ?? 0;
  if (d === 0) return 0;
  expect(v, `${def.name} with denominator ${d}`).not.toBeNull();
  return (v as number) * d;
}

/** Whether every item of the parent's population counted by the metric has a child. */
function isTotal(scope: ParentScope, dimension: string, def: MetricDefinition, complete: boolean): boolean {
  // Only agents carry staffed time, and an offered call has no agent (kpis.md §2).
  if (STAFFED.has(def.name) && !AGENT_KEYED.has(dimension)) return false;
  if (def.side === 'queue' && AGENT_KEYED.has(dimension)) return false;
  if (complete) return true;
  if (scope === 'queue' && dimension === 'hour') return true;
  // Only a segment with a queue is offered.
  if (scope === 'center' && dimension === 'queue' && def.side === 'queue') return true;
  if (scope === 'team' && dimension === 'agent') return true;
  // Evaluations of unknown contacts and unmatched surveys have no hour.
  return scope === 'center' && dimension === 'hour' && !QA.has(def.name) && def.name !== 'unmatched_surveys';
}

function checkSplits(records: KpiRecord[], cells: BreakdownCell[], complete: boolean): void {
  const split = new Map<string, BreakdownCell[]>();
  for (const c of cells) {
    const key = `${c.parent_scope} ${c.parent_id} ${c.dimension}`;
    split.set(key, [...(split.get(key) ?? []), c]);
  }
  for (const parent of records) {
    const scope = parent.scope as ParentScope;
    if (!(scope in CHILD_DIMENSIONS)) continue;
    for (const dimension of CHILD_DIMENSIONS[scope]) {
      const children = split.get(`${scope} ${parent.id} ${dimension}`) ?? [];
      expect(new Set(children.map((c) => c.id)).size).toBe(children.length);
      for (const def of metricsAtScope(scope)) {
        const whole = additive(def, parent.metrics);
        if (whole === null) continue;
        const parts = children.reduce((acc, c) => acc + (additive(def, c.metrics) as number), 0);
        const label = `${scope} ${parent.id} → ${dimension}: ${def.name}`;
        const tolerance = 1e-9 * Math.max(1, Math.abs(whole));
        expect(parts, label).toBeLessThanOrEqual(whole + tolerance);
        if (isTotal(scope, dimension, def, complete))
          expect(Math.abs(parts - whole), label).toBeLessThan(tolerance);
      }
      // An agent is in one team: distinct agents add up over agents and teams.
      if (AGENT_KEYED.has(dimension) && complete) {
        for (const name of ['agents_active', 'outbound_agents']) {
          const parts = children.reduce((acc, c) => acc + (c.metrics[name] ?? 0), 0);
          expect(parts, `${scope} ${parent.id} → ${dimension}: ${name}`).toBe(parent.metrics[name]);
        }
      }
    }
  }
}

describe('breakdown cells add up to their parents', () => {
  for (const complete of [false, true]) {
    it(`on random ${complete ? 'complete ' : ''}days: Σ children ≤ parent, = where every item has a child`, () => {
      fc.assert(
        fc.property(arbitraryDay(complete), (input) => {
          const { records, breakdown } = computeDayKpisWithBreakdown(input);
          expect(records).toEqual(computeDayKpis(input));
          checkSplits(records, breakdown.cells, complete);
          const center = records.find((r) => r.scope === 'center')?.metrics;
          const staffedHours = Object.values(breakdown.staffed_agents_by_hour);
          expect(staffedHours.length === 0 || staffedHours.length === 24).toBe(true);
          const staffedSeconds = staffedHours.reduce((a, b) => a + b, 0) * 3600;
          expect(staffedSeconds).toBeCloseTo(center?.staffed_seconds ?? 0, 6);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('gives every cell exactly the metrics of its parent’s scope', () => {
    const { breakdown } = computeDayKpisWithBreakdown(handMade);
    for (const c of breakdown.cells) {
      expect(Object.keys(c.metrics)).toEqual(metricsAtScope(c.parent_scope).map((m) => m.name));
    }
  });
});
