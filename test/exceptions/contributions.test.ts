import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breadthVerdict,
  coverage,
  mostExplanatory,
  RESIDUAL_ID,
  splitDimension,
} from '../../functions/domain/exceptions/contributions.js';
import { evaluateDay } from '../../functions/domain/exceptions/evaluate.js';
import { type MetricDefinition, metricDefinition } from '../../functions/domain/kpi/catalog.js';
import { CENTER, cell, child, dayInput, item } from './factories.js';

const def = (name: string) => metricDefinition(name) as MetricDefinition;

describe('segment contributions', () => {
  // Centre: 200 offered, service level 0.70 (N = 140) against ≥ 0.95: gap −0.25.
  const parent = { service_level: 0.7, offered: 200 };
  const cells = [
    { id: 'sales', metrics: { service_level: 0.9, offered: 100 } }, // N = 90
    { id: 'support', metrics: { service_level: 0.5, offered: 80 } }, // N = 40
    { id: 'closed', metrics: { service_level: null, offered: 0 } },
  ];
  const children = splitDimension(def('service_level'), parent, 0.7, 0.95, cells);
  const byId = Object.fromEntries(children.map((c) => [c.id, c]));

  it('weights each child’s distance from the bound by its share of the denominator', () => {
    // support: 0.4 · (0.5 − 0.95) = −0.18 → 72 % of the gap; sales: 0.5 · (0.9 − 0.95) = −0.025 → 10 %.
    expect(byId.support?.contribution).toBeCloseTo(-0.18, 12);
    expect(byId.support?.share_of_gap).toBeCloseTo(0.72, 12);
    expect(byId.support?.volume_share).toBeCloseTo(0.4, 12);
    expect(byId.sales?.contribution).toBeCloseTo(-0.025, 12);
    expect(byId.sales?.share_of_gap).toBeCloseTo(0.1, 12);
  });

  it('puts the uncovered population in the residual child so the sum is exact', () => {
    // Residual: D = 200 − 180 = 20, N = 140 − 130 = 10, r = 0.5: 0.1 · (0.5 − 0.95) = −0.045 → 18 %.
    expect(byId[RESIDUAL_ID]).toMatchObject({ volume: 20 });
    expect(byId[RESIDUAL_ID]?.value).toBeCloseTo(0.5, 12);
    expect(byId[RESIDUAL_ID]?.share_of_gap).toBeCloseTo(0.18, 12);
    expect(children.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(-0.25, 12);
  });

  it('gives a null child nothing and sorts by share of the gap', () => {
    expect(byId.closed).toMatchObject({ value: null, volume: 0, contribution: 0, share_of_gap: 0 });
    expect(children.map((c) => c.id)).toEqual(['support', RESIDUAL_ID, 'sales', 'closed']);
  });

  it('adds no residual when the children cover the parent', () => {
    const whole = splitDimension(
      def('service_level'),
      { service_level: 0.65, offered: 180 },
      130 / 180,
      0.95,
      cells,
    );
    expect(whole.map((c) => c.id)).not.toContain(RESIDUAL_ID);
  });

  it('splits occupancy by staffed seconds, judging children by handled', () => {
    const [a] = splitDimension(
      def('occupancy'),
      { occupancy: 0.6, staffed_seconds: 1000, handled: 50 },
      0.6,
      0.8,
      [{ id: 'A', metrics: { occupancy: 0.6, staffed_seconds: 1000, handled: 50 } }],
    );
    expect(a).toMatchObject({ volume: 1000, volume_share: 1, count_volume: 50 });
  });

  it('splits a count additively: each child’s count less its share of the bound', () => {
    // 12 fatal errors on 100 evaluations against ≤ 4: team X 10 of 40 evaluations → 10 − 0.4·4 = 8.4.
    const split = splitDimension(
      def('qa_fatal_errors'),
      { qa_fatal_errors: 12, qa_evaluations: 100 },
      12,
      4,
      [
        { id: 'X', metrics: { qa_fatal_errors: 10, qa_evaluations: 40 } },
        { id: 'Y', metrics: { qa_fatal_errors: 1, qa_evaluations: 50 } },
      ],
    );
    const c = Object.fromEntries(split.map((s) => [s.id, s.contribution]));
    expect(c.X).toBeCloseTo(8.4, 12);
    expect(c.Y).toBeCloseTo(-1, 12);
    expect(c[RESIDUAL_ID]).toBeCloseTo(1 - 0.1 * 4, 12);
    expect(split.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(8, 12);
  });

  it('sums to actual − bound for any children, null ones and a residual included', () => {
    const childArb = fc.oneof(
      fc.record({ d: fc.integer({ min: 1, max: 5000 }), r: fc.double({ min: 0, max: 600, noNaN: true }) }),
      fc.constant({ d: 0, r: null }),
    );
    fc.assert(
      fc.property(
        fc.array(childArb, { maxLength: 30 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        (kids, restD, restR, bound) => {
          const D = kids.reduce((s, k) => s + k.d, 0) + restD;
          fc.pre(D > 0);
          const N = kids.reduce((s, k) => s + (k.r === null ? 0 : k.r * k.d), 0) + restR * restD;
          const actual = N / D;
          const gap = actual - bound;
          fc.pre(Math.abs(gap) >= 0.01 * Math.max(1, bound));
          const cells = kids.map((k, i) => ({
            id: `q${i}`,
            metrics: { avg_queue_seconds: k.r, offered: k.d },
          }));
          const split = splitDimension(
            def('avg_queue_seconds'),
            { avg_queue_seconds: actual, offered: D },
            actual,
            bound,
            cells,
          );
          const sum = split.reduce((s, c) => s + c.contribution, 0);
          expect(Math.abs(sum - gap)).toBeLessThanOrEqual(1e-9 * Math.abs(gap));
          expect(split.reduce((s, c) => s + c.share_of_gap, 0)).toBeCloseTo(1, 9);
          expect(split.some((c) => c.id === RESIDUAL_ID)).toBe(restD > 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('most explanatory dimension', () => {
  it('takes the dimension needing the fewest children to reach 80 % of the gap', () => {
    const best = mostExplanatory({
      queue: [child('q1', 0.5), child('q2', 0.4)],
      hour: [child('10', 0.8), child('11', 0.2)],
    });
    expect(best).toMatchObject({ dimension: 'hour', count: 1 });
  });

  it('breaks a tie on count by the larger covered share, then by queue, team, agent, hour', () => {
    expect(mostExplanatory({ team: [child('A', 0.85)], hour: [child('10', 0.9)] })?.dimension).toBe('hour');
    expect(
      mostExplanatory({ hour: [child('10', 0.9)], agent: [child('A1', 0.9)], team: [child('B', 0.9)] })
        ?.dimension,
    ).toBe('team');
  });

  it('counts a dimension that five children cannot explain as six', () => {
    const flat = [0.15, 0.15, 0.15, 0.15, 0.15, 0.15].map((s, i) => child(`a${i}`, s));
    const c = coverage('agent', flat);
    expect(c.count).toBe(6);
    expect(c.taken).toHaveLength(5);
    expect(c.covered).toBeCloseTo(0.75, 12);
    const five = [0.2, 0.2, 0.2, 0.1, 0.1].map((s, i) => child(`h${i}`, s));
    expect(mostExplanatory({ agent: flat, hour: five })).toMatchObject({ dimension: 'hour', count: 5 });
  });

  it('stops at the child that crosses 80 % and ignores children pulling the other way', () => {
    const c = coverage('queue', [child('a', 0.5), child('b', 0.3), child('c', 0.3), child('d', -0.1)]);
    expect(c.taken.map((x) => x.id)).toEqual(['a', 'b']);
  });
});

describe('breadth verdict', () => {
  it('is systemic when breached children hold at least 60 % of the denominator', () => {
    const kids = [child('A', 0.3, 0.35), child('B', 0.3, 0.25), child('C', 0.4, 0.4, 'met')];
    expect(breadthVerdict(kids).verdict).toBe('systemic');
    const less = [child('A', 0.3, 0.35), child('B', 0.3, 0.24), child('C', 0.4, 0.41, 'met')];
    expect(breadthVerdict(less).verdict).not.toBe('systemic');
  });

  it('is concentrated when the top child explains 70 % of the gap on at most 40 % of the volume', () => {
    expect(breadthVerdict([child('A', 0.7, 0.4), child('B', 0.3, 0.6, 'met')]).verdict).toBe('concentrated');
    expect(breadthVerdict([child('A', 0.69, 0.1), child('B', 0.31, 0.9, 'met')]).verdict).toBe('mixed');
    expect(breadthVerdict([child('A', 0.9, 0.41), child('B', 0.1, 0.59, 'met')]).verdict).toBe('mixed');
  });

  it('is concentrated when the top two explain 70 % together on at most 40 %', () => {
    const kids = [child('A', 0.4, 0.2), child('B', 0.3, 0.2), child('C', 0.3, 0.6, 'met')];
    const v = breadthVerdict(kids);
    expect(v.verdict).toBe('concentrated');
    expect(v.concentrated_in.map((c) => c.id)).toEqual(['A', 'B']);
    expect(
      breadthVerdict([child('A', 0.4, 0.2), child('B', 0.3, 0.21), child('C', 0.3, 0.59, 'met')]).verdict,
    ).toBe('mixed');
  });
});

describe('drill-down of an exception', () => {
  // Centre service level 85 % on 1000 offered against ≥ 95 %: gap −0.10.
  const items = [
    item('center', CENTER, { service_level: 0.85, offered: 1000 }),
    item('queue', 'billing', { service_level: 0.55, offered: 200 }),
    item('queue', 'sales', { service_level: 0.95, offered: 500 }),
    item('queue', 'support', { service_level: 265 / 300, offered: 300 }),
    item('hour', '09', { service_level: 0.9, offered: 500 }),
    item('hour', '10', { service_level: 0.8, offered: 500 }),
  ];
  const cells = [
    cell('center', CENTER, 'queue', 'billing', { service_level: 0.55, offered: 200 }), // −0.08: 80 %
    cell('center', CENTER, 'queue', 'sales', { service_level: 0.95, offered: 500 }), // 0
    cell('center', CENTER, 'queue', 'support', { service_level: 265 / 300, offered: 300 }), // −0.02: 20 %
    cell('center', CENTER, 'hour', '09', { service_level: 0.9, offered: 500 }), // −0.025: 25 %
    cell('center', CENTER, 'hour', '10', { service_level: 0.8, offered: 500 }), // −0.075: 75 %
    // Queue-side metrics have no team split: such cells are ignored.
    cell('center', CENTER, 'team', 'T', { service_level: 0.85, offered: 1000 }),
  ];
  const day = evaluateDay(dayInput({ items, breakdown: { cells, staffed_agents_by_hour: {} } }));
  const x = day.exceptions.find((e) => e.scope === 'center');

  it('exposes every child of every dimension the metric splits on', () => {
    expect(Object.keys(x?.contributions ?? {}).sort()).toEqual(['hour', 'queue']);
    expect(x?.contributions.queue?.map((c) => [c.id, Math.round(c.share_of_gap * 1000) / 1000])).toEqual([
      ['billing', 0.8],
      ['support', 0.2],
      ['sales', 0],
    ]);
  });

  it('names the segments of the most explanatory dimension with their own status', () => {
    // Queue reaches 80 % with one child, hour needs two.
    expect(x?.causes.filter((c) => c.kind === 'segment')).toEqual([
      {
        kind: 'segment',
        dimension: 'queue',
        id: 'billing',
        value: 0.55,
        volume_share: 0.2,
        status: 'breached',
        share_of_gap: expect.closeTo(0.8, 12),
      },
    ]);
  });

  it('calls it concentrated and says so in the summary', () => {
    expect(x?.verdict).toBe('concentrated');
    expect(x?.summary).toBe(
      'Service level 85.0 % (target ≥ 95.0 %). Concentrated: queue billing (20 % of calls) explains 80 % of the gap; worst hours 10:00–11:00 and 09:00–10:00.',
    );
  });

  it('judges hour segments with the hour scope’s min_volume', () => {
    const hourCells = cells.filter((c) => c.dimension === 'hour');
    const statuses = (doc: Record<string, unknown>) =>
      evaluateDay(
        dayInput({ items, breakdown: { cells: hourCells, staffed_agents_by_hour: {} } }, doc),
      ).exceptions[0]?.causes.flatMap((c) => (c.kind === 'segment' ? [[c.id, c.status]] : []));
    expect(statuses({})).toEqual([
      ['10', 'breached'],
      ['09', 'breached'],
    ]);
    expect(statuses({ parameters: { min_volume: { hour: 501, queue: 1000 } } })).toEqual([
      ['10', 'insufficient_data'],
      ['09', 'insufficient_data'],
    ]);
  });

  it('is systemic when most teams breach, and says where to look', () => {
    const teams = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    const fcr = (t: string) => (t === 'H' ? 0.95 : 0.7);
    const sys = evaluateDay(
      dayInput({
        items: [
          item('center', CENTER, { fcr_rate: 0.7375, fcr_eligible: 800 }),
          ...teams.map((t) => item('team', t, { fcr_rate: fcr(t), fcr_eligible: 100 })),
        ],
        breakdown: {
          cells: teams.map((t) => cell('center', CENTER, 'team', t, { fcr_rate: fcr(t), fcr_eligible: 100 })),
          staffed_agents_by_hour: {},
        },
      }),
    );
    const s = sys.exceptions.find((e) => e.scope === 'center' && e.metric === 'fcr_rate');
    expect(s?.verdict).toBe('systemic');
    expect(s?.summary).toBe(
      'First-contact resolution 73.8 % (target ≥ 85.0 %). Systemic: 7 of 8 teams below target — look at demand, targets or a new business line, not at individual agents.',
    );
  });

  it('names the agents inside the one team a concentrated gap sits in', () => {
    // Centre FCR 370 / 500 = 74 % against ≥ 85 %: gap −0.11. Team B: 0.2 · (0.35 − 0.85) = −0.1 (91 %).
    // Inside B (gap −0.5): B1 0.5 · (0.1 − 0.85) = −0.375 (75 %), B2 0.3 · (0.5 − 0.85) = −0.105 (21 %).
    const teams = { A: [300, 0.85], B: [100, 0.35], C: [100, 0.8] } as const;
    const agents = { B1: [50, 0.1], B2: [30, 0.5], B3: [20, 0.75] } as const;
    const day = evaluateDay(
      dayInput({
        items: [
          item('center', CENTER, { fcr_rate: 0.74, fcr_eligible: 500 }),
          ...Object.entries(teams).map(([t, [n, r]]) => item('team', t, { fcr_rate: r, fcr_eligible: n })),
        ],
        breakdown: {
          cells: [
            ...Object.entries(teams).map(([t, [n, r]]) =>
              cell('center', CENTER, 'team', t, { fcr_rate: r, fcr_eligible: n }),
            ),
            ...Object.entries(agents).map(([a, [n, r]]) =>
              cell('team', 'B', 'agent', a, { fcr_rate: r, fcr_eligible: n }),
            ),
          ],
          staffed_agents_by_hour: {},
        },
      }),
    );
    const x = day.exceptions.find((e) => e.scope === 'center');
    expect(x?.verdict).toBe('concentrated');
    expect(x?.summary).toBe(
      "First-contact resolution 74.0 % (target ≥ 85.0 %). Concentrated: team B (20 % of calls) explains 91 % of the gap; agents B1 and B2 explain 96 % of team B's.",
    );
  });

  it('takes queues as the breadth of an agent-side metric when the centre has no roster', () => {
    const noRoster = evaluateDay(
      dayInput({
        items: [
          item('center', CENTER, { fcr_rate: 0.7, fcr_eligible: 400 }),
          item('team', 'unassigned', { fcr_rate: 0.7, fcr_eligible: 400 }),
        ],
        breakdown: {
          cells: [
            cell('center', CENTER, 'team', 'unassigned', { fcr_rate: 0.7, fcr_eligible: 400 }),
            cell('center', CENTER, 'queue', 'q1', { fcr_rate: 0.25, fcr_eligible: 100 }), // −0.15 of −0.15
            cell('center', CENTER, 'queue', 'q2', { fcr_rate: 0.85, fcr_eligible: 300 }),
          ],
          staffed_agents_by_hour: {},
        },
      }),
    );
    expect(noRoster.exceptions[0]).toMatchObject({ verdict: 'concentrated' });
    expect(noRoster.exceptions[0]?.summary).toContain(
      'Concentrated: queue q1 (25 % of calls) explains 100 %',
    );
  });
});
