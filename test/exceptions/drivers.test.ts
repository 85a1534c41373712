import { describe, expect, it } from 'vitest';
import { HistoryIndex } from '../../functions/domain/exceptions/day-view.js';
import { percentile } from '../../functions/domain/exceptions/drivers.js';
import { evaluateDay } from '../../functions/domain/exceptions/evaluate.js';
import type { Cause } from '../../functions/domain/exceptions/model.js';
import { CENTER, cell, DATE, dayInput, historyDay, item } from './factories.js';

const centre = (metrics: Record<string, number | null>) => item('center', CENTER, metrics);

describe('baselines', () => {
  const offered = (date: string, value: number | null) => historyDay(date, [centre({ offered: value })]);

  it('averages the same weekday of the previous four weeks', () => {
    const h = new HistoryIndex([
      offered('2026-02-24', 120),
      offered('2026-03-03', 100),
      offered('2026-03-09', 999),
    ]);
    expect(h.baseline(DATE, 'center', CENTER, 'offered')).toEqual({ value: 110, basis: 'same_weekday' });
  });

  it('falls back to the previous seven days when no same weekday has a value', () => {
    const h = new HistoryIndex([
      offered('2026-02-26', 1000), // a Thursday 12 days back: neither rule
      offered('2026-03-03', null), // the same weekday, but null
      offered('2026-03-05', 50),
      offered('2026-03-09', 70),
    ]);
    expect(h.baseline(DATE, 'center', CENTER, 'offered')).toEqual({ value: 60, basis: 'previous_7_days' });
  });

  it('has no baseline without either', () => {
    const h = new HistoryIndex([offered('2026-02-25', 100)]);
    expect(h.baseline(DATE, 'center', CENTER, 'offered')).toBeNull();
  });

  it('treats a record missing on a baseline day as missing, not as 0', () => {
    const h = new HistoryIndex([
      historyDay('2026-03-03', [item('hour', '10', { offered: 12 })]),
      historyDay('2026-02-24', [item('hour', '09', { offered: 40 })]),
    ]);
    expect(h.baseline(DATE, 'hour', '10', 'offered')?.value).toBe(12);
  });
});

describe('drivers', () => {
  it('names the AHT part with the largest change in seconds first', () => {
    const day = evaluateDay(
      dayInput({
        items: [
          centre({
            aht_seconds: 200,
            handled: 100,
            avg_talk_seconds: 130,
            avg_hold_seconds: 40,
            avg_acw_seconds: 30,
          }),
        ],
        history: [
          historyDay('2026-03-03', [
            centre({ aht_seconds: 150, avg_talk_seconds: 110, avg_hold_seconds: 15, avg_acw_seconds: 25 }),
          ]),
        ],
      }),
    );
    const x = day.exceptions[0];
    expect(x?.causes.map((c) => (c.kind === 'driver' ? c.name : c.kind))).toEqual([
      'avg_hold_seconds',
      'avg_talk_seconds',
      'avg_acw_seconds',
    ]);
    expect(x?.causes[0]).toEqual({
      kind: 'driver',
      name: 'avg_hold_seconds',
      actual: 40,
      baseline: 15,
      change: 25 / 15,
      basis: 'same_weekday',
    });
    expect(x?.summary).toBe(
      'Average handle time 200 s (target 60–180 s). Average hold time 40 s vs 15 s on the usual Tuesday; average talk time 130 s vs 110 s on the usual Tuesday.',
    );
  });

  describe('a queue-side shortfall', () => {
    // Industry preset: service level ≥ 80 % in 20 s. 720 of 1200 in time: gap −0.2.
    // Hour 10: 30 of 100 → (100/1200)(0.3 − 0.8) = −0.0417 (21 %); hour 11: 690 of 1100 (79 %).
    const day = evaluateDay(
      dayInput(
        {
          items: [
            centre({ service_level: 0.6, offered: 1200, agents_active: 20, aht_seconds: 180, handled: 1000 }),
            item('hour', '10', { service_level: 0.3, offered: 100, aht_seconds: 180 }),
            item('hour', '11', { service_level: 690 / 1100, offered: 1100, aht_seconds: 180 }),
          ],
          breakdown: {
            cells: [
              cell('center', CENTER, 'hour', '10', { service_level: 0.3, offered: 100 }),
              cell('center', CENTER, 'hour', '11', { service_level: 690 / 1100, offered: 1100 }),
            ],
            staffed_agents_by_hour: { '10': 6 },
          },
          history: [historyDay('2026-03-09', [centre({ offered: 1000, agents_active: 24 })])],
        },
        { preset: 'industry' },
      ),
    );
    const x = day.exceptions.find((e) => e.metric === 'service_level');
    const kinds = (x?.causes ?? []).map((c: Cause) => (c.kind === 'driver' ? c.name : c.kind));

    it('lists demand and staffing drivers by size of change, then the hours, then Erlang C', () => {
      expect(kinds).toEqual(['segment', 'segment', 'offered', 'agents_active', 'hours', 'staffing']);
      expect(x?.causes[2]).toMatchObject({ actual: 1200, baseline: 1000, basis: 'previous_7_days' });
      expect(x?.causes[2]).toMatchObject({ change: expect.closeTo(0.2, 12) });
    });

    it('estimates the agents the worst hour with known staffing needed', () => {
      // 100 calls × 180 s = 5 erlangs; 80 % in 20 s needs 8 agents (see erlang-c.test.ts).
      expect(x?.causes.find((c) => c.kind === 'staffing')).toEqual({
        kind: 'staffing',
        hour: '10',
        offered: 100,
        aht_seconds: 180,
        agents_needed: 8,
        agents_staffed: 6,
      });
    });

    it('says where and why in two sentences', () => {
      expect(x?.summary).toBe(
        'Service level 60.0 % (target ≥ 80.0 %). Hour 11:00–12:00 (92 % of calls) and hour 10:00–11:00 (8 % of calls) explain 100 % of the gap; offered +20 % against the previous 7 days.',
      );
    });
  });

  it('finds the double-loop agents: QA passed, CSAT at or below the 25th percentile', () => {
    const agent = (
      id: string,
      csat: number | null,
      responses: number,
      qa: number | null,
      evaluations: number,
    ) =>
      item('agent', id, {
        csat_avg: csat,
        csat_responses: responses,
        qa_pass_rate: qa,
        qa_evaluations: evaluations,
      });
    const team = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'];
    const day = evaluateDay(
      dayInput(
        {
          items: [
            item('team', 'T', { csat_avg: 3.5, csat_responses: 100 }),
            agent('A5', 1.0, 10, 0.5, 4), // worst CSAT but fails QA
            agent('A1', 1.2, 10, 1, 2),
            agent('A6', 1.6, 10, 1, 0), // no evaluation
            agent('A8', 2.8, 10, 1, 1),
            agent('A2', 3.0, 10, 1, 1),
            agent('A3', 4.0, 10, 1, 1),
            agent('A9', 4.5, 10, 1, 1),
            agent('A4', 5.0, 10, 1, 1),
            agent('A7', null, 0, 1, 5), // no responses: not in the percentile
            agent('X1', 1.0, 10, 1, 3), // another team
          ],
          breakdown: {
            cells: team.map((id) => cell('team', 'T', 'agent', id, { csat_avg: null, csat_responses: 0 })),
            staffed_agents_by_hour: {},
          },
        },
        { targets: { csat_avg: { gte: 4 } } },
      ),
    );
    const loop = day.exceptions[0]?.causes.find((c) => c.kind === 'double_loop');
    // CSAT of the 8 agents with responses: 1.0 1.2 1.6 2.8 3.0 4.0 4.5 5.0; h = 7 · 0.25 = 1.75 → 1.2 + 0.75 · 0.4 = 1.5.
    expect(loop).toEqual({
      kind: 'double_loop',
      csat_p25: expect.closeTo(1.5, 12),
      agents: [{ id: 'A1', qa_pass_rate: 1, qa_evaluations: 2, csat_avg: 1.2, csat_responses: 10 }],
    });
    expect(day.exceptions[0]?.summary).toContain(
      '1 agent passes QA but sits in the bottom quarter for CSAT (A1)',
    );
  });

  it('interpolates percentiles linearly between order statistics', () => {
    expect(percentile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 12);
    expect(percentile([5], 0.25)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });

  it('points a first-contact-resolution breach at the queues and agents with the most repeats', () => {
    const day = evaluateDay(
      dayInput({
        items: [
          centre({ fcr_rate: 0.7, fcr_eligible: 1000, repeated: 300 }),
          item('queue', 'q1', { repeated: 200, fcr_eligible: 500, fcr_rate: 0.6 }),
          item('queue', 'q2', { repeated: 100, fcr_eligible: 500, fcr_rate: 0.8 }),
          item('queue', 'q3', { repeated: 0, fcr_eligible: 0, fcr_rate: null }),
          item('agent', 'A1', { repeated: 50, fcr_eligible: 100, fcr_rate: 0.5 }),
          item('agent', 'A2', { repeated: 80, fcr_eligible: 200, fcr_rate: 0.6 }),
        ],
      }),
    );
    const x = day.exceptions.find((e) => e.scope === 'center');
    expect(x?.causes).toEqual([
      {
        kind: 'repeat_contacts',
        dimension: 'queue',
        items: [
          { id: 'q1', repeated: 200, fcr_eligible: 500, fcr_rate: 0.6 },
          { id: 'q2', repeated: 100, fcr_eligible: 500, fcr_rate: 0.8 },
        ],
      },
      {
        kind: 'repeat_contacts',
        dimension: 'agent',
        items: [
          { id: 'A2', repeated: 80, fcr_eligible: 200, fcr_rate: 0.6 },
          { id: 'A1', repeated: 50, fcr_eligible: 100, fcr_rate: 0.5 },
        ],
      },
    ]);
    expect(x?.summary).toBe(
      'First-contact resolution 70.0 % (target ≥ 85.0 %). Most repeat contacts in queues q1 (200), q2 (100) and with agents A2 (80), A1 (50).',
    );
  });
});
