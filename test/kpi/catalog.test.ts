import { describe, expect, it } from 'vitest';
import { METRICS, metricDefinition, metricsAtScope, SCOPES } from '../../functions/domain/kpi/catalog.js';
import { computeDayKpis } from '../../functions/domain/kpi/rollup.js';
import { contact, evaluation, local, params, state, survey } from './factories.js';

const at = (time: string) => local(`2026-03-10 ${time}`);

/** A day that touches every scope and makes every metric non-null at the centre. */
const records = computeDayKpis({
  center: 'c1',
  date: '2026-03-10',
  params: params(),
  contacts: [
    contact({
      contact_id: '1',
      agent_id: 'A',
      caller_token: 't',
      initiated_at: at('09:00'),
      queue_seconds: 4,
      talk_seconds: 60,
    }),
    contact({
      contact_id: '2',
      outcome: 'abandoned',
      caller_token: 't',
      initiated_at: at('09:30'),
      queue_seconds: 30,
    }),
    contact({
      contact_id: '3',
      direction: 'outbound',
      agent_id: 'A',
      outcome: 'connected',
      initiated_at: at('10:00'),
    }),
  ],
  surveys: [
    survey({ contact_id: '1', score: 5 }),
    survey({ contact_id: 'nobody', responded_at: at('12:00') }),
  ],
  qa: [evaluation({ evaluation_id: 'e', contact_id: '1', agent_id: 'A', score: 90 })],
  roster: [],
  agentStates: [state('A', 'staffed', at('08:00'), at('12:00'))],
});

describe('metric catalog', () => {
  it('lists each metric once, with a description', () => {
    expect(new Set(METRICS.map((m) => m.name)).size).toBe(METRICS.length);
    for (const m of METRICS) {
      expect(m.name).toMatch(/^[a-z0-9_]+$/);
      expect(m.description.length).toBeGreaterThan(20);
      expect(m.scopes.length).toBeGreaterThan(0);
    }
  });

  it('names volumes and denominators that exist at every scope of the metric', () => {
    for (const m of METRICS) {
      for (const ref of [m.volume, m.denominator]) {
        if (ref === undefined) continue;
        const def = metricDefinition(ref);
        expect(def, `${m.name} → ${ref}`).toBeDefined();
        for (const s of m.scopes) expect(def?.scopes, `${m.name} → ${ref} at ${s}`).toContain(s);
      }
    }
  });

  it('uses the volumes of exceptions.md §1', () => {
    const volume = (name: string) => metricDefinition(name)?.volume;
    expect(volume('service_level')).toBe('offered');
    expect(volume('avg_queue_seconds')).toBe('offered');
    expect(volume('asa_seconds')).toBe('answered');
    expect(volume('aht_seconds')).toBe('handled');
    expect(volume('occupancy')).toBe('handled');
    expect(metricDefinition('occupancy')?.denominator).toBe('staffed_seconds');
    expect(volume('fcr_rate')).toBe('fcr_eligible');
    expect(volume('csat_avg')).toBe('csat_responses');
    expect(volume('qa_pass_rate')).toBe('qa_evaluations');
    expect(volume('outbound_connect_rate')).toBe('outbound_attempts');
    expect(volume('handled_per_agent')).toBe('agents_active');
    expect(volume('outbound_attempts_per_agent')).toBe('outbound_agents');
  });

  it('matches what the engine produces, scope by scope, in both directions', () => {
    for (const scope of SCOPES) {
      const produced = records.filter((r) => r.scope === scope);
      expect(produced.length, scope).toBeGreaterThan(0);
      const expected = metricsAtScope(scope).map((m) => m.name);
      for (const r of produced) {
        expect(Object.keys(r.metrics)).toEqual(expected);
        for (const v of Object.values(r.metrics)) expect(v === null || Number.isFinite(v)).toBe(true);
      }
    }
    const everywhere = new Set(records.flatMap((r) => Object.keys(r.metrics)));
    expect([...everywhere].sort()).toEqual(METRICS.map((m) => m.name).sort());
  });

  it('has a formula for every metric: a rich day leaves nothing null at the centre', () => {
    const center = records.find((r) => r.scope === 'center');
    const nulls = Object.entries(center?.metrics ?? {}).filter(([, v]) => v === null);
    expect(nulls).toEqual([]);
  });
});
