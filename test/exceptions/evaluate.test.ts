import { describe, expect, it } from 'vitest';
import { resolveParameters } from '../../functions/domain/config.js';
import { DayView } from '../../functions/domain/exceptions/day-view.js';
import { type DayItem, evaluateAll, evaluateDay } from '../../functions/domain/exceptions/evaluate.js';
import { targetsInForce } from '../../functions/domain/exceptions/targets.js';
import { CENTER, cell, config, DATE, dayInput, item, previousDay } from './factories.js';

const evaluationOf = (items: DayItem[], doc: Record<string, unknown> = {}) => {
  const cfg = config(doc);
  return evaluateAll(targetsInForce(cfg, resolveParameters(cfg)), new DayView(items, null), CENTER);
};

const find = (es: ReturnType<typeof evaluationOf>, metric: string, scope: string, id: string) => {
  const e = es.find((x) => x.metric === metric && x.scope === scope && x.id === id);
  if (!e) throw new Error(`no evaluation ${metric} ${scope} ${id}`);
  return e;
};

describe('evaluation statuses', () => {
  const items = [
    item('center', CENTER, { service_level: 0.9, offered: 100, aht_seconds: 170, handled: 90 }),
    item('queue', 'small', { service_level: 0.5, offered: 29 }),
    item('queue', 'vip', { service_level: 0.96, offered: 40 }),
    item('queue', 'empty', { service_level: null, offered: 0 }),
    item('team', 'A', { aht_seconds: 200, handled: 30, handled_per_agent: 35, agents_active: 30 }),
    item('team', 'B', { aht_seconds: 200, handled: 300, handled_per_agent: 10, agents_active: 29 }),
    item('agent', 'A1', { aht_seconds: 200, handled: 20 }),
    item('agent', 'A2', { aht_seconds: 900, handled: 19 }),
  ];
  const es = evaluationOf(items, { targets: { handled_per_agent: { gte: 40 } } });

  it('breaches with the bound, severity and volume', () => {
    expect(find(es, 'service_level', 'center', CENTER)).toMatchObject({
      status: 'breached',
      actual: 0.9,
      bound: 0.95,
      severity: 'major', // 0.05 / 0.95 = 5.3 %
      volume: 100,
      min_volume: 30,
    });
  });

  it('holds back a judgement below min_volume: 30 at queue and team, 20 at agent', () => {
    expect(find(es, 'service_level', 'queue', 'small').status).toBe('insufficient_data');
    expect(find(es, 'service_level', 'queue', 'vip').status).toBe('met');
    expect(find(es, 'aht_seconds', 'agent', 'A1')).toMatchObject({ status: 'breached', bound: 180 });
    expect(find(es, 'aht_seconds', 'agent', 'A2').status).toBe('insufficient_data');
  });

  it('is not applicable where the value is null, the item is missing or the metric does not exist', () => {
    expect(find(es, 'service_level', 'queue', 'empty')).toMatchObject({
      status: 'not_applicable',
      volume: null,
    });
    expect(find(es, 'service_level', 'team', 'A').status).toBe('not_applicable');
    expect(find(es, 'occupancy', 'center', CENTER).status).toBe('not_applicable');
  });

  it('judges a per-agent metric by its number of agents', () => {
    expect(find(es, 'handled_per_agent', 'team', 'A')).toMatchObject({ status: 'breached', volume: 30 });
    expect(find(es, 'handled_per_agent', 'team', 'B')).toMatchObject({
      status: 'insufficient_data',
      volume: 29,
    });
  });

  it('lets a per-metric min_volume reach a 5-call agent', () => {
    const small = evaluationOf([item('agent', 'A9', { aht_seconds: 400, handled: 5 })], {
      parameters: { min_volume: { metrics: { aht_seconds: 5 } } },
    });
    expect(find(small, 'aht_seconds', 'agent', 'A9')).toMatchObject({ status: 'breached', min_volume: 5 });
  });

  it('judges a queue against its override', () => {
    const q = evaluationOf([item('queue', 'complaints', { aht_seconds: 400, handled: 50 })], {
      overrides: [{ scope: 'queue', id: 'complaints', targets: { aht_seconds: { between: [120, 480] } } }],
    });
    expect(find(q, 'aht_seconds', 'queue', 'complaints')).toMatchObject({
      status: 'met',
      target: { between: [120, 480] },
    });
  });
});

describe('the day evaluation', () => {
  const items = [
    item('center', CENTER, { service_level: 0.9, offered: 100, aht_seconds: 120, handled: 90 }),
    item('queue', 'sales', { service_level: 0.8, offered: 60, aht_seconds: 120, handled: 50 }),
    item('queue', 'vip', { service_level: 0.99, offered: 40, aht_seconds: 120, handled: 40 }),
    item('team', 'A', { aht_seconds: 120, handled: 90 }),
    item('agent', 'A1', { aht_seconds: 400, handled: 90 }),
  ];

  it('raises exceptions at centre, queue and team scope only, ordered by scope and id', () => {
    const day = evaluateDay(dayInput({ items }));
    expect(day.exceptions.map((x) => [x.metric, x.scope, x.id])).toEqual([
      ['service_level', 'center', CENTER],
      ['service_level', 'queue', 'sales'],
    ]);
    expect(day.counts.agent.breached).toBe(1);
    expect(day.counts.center).toMatchObject({ breached: 1, met: 1 });
    expect(day.exceptions[0]).toMatchObject({ state: 'new', streak: 1, date: DATE, center: CENTER });
    expect(day.targets_version).toMatch(/^[0-9a-f]{12}$/);
    expect(day.exceptions[0]?.targets_version).toBe(day.targets_version);
  });

  it('continues yesterday’s streak and starts a new one for a fresh breach', () => {
    const previous = previousDay('2026-03-09', [{ metric: 'service_level', scope: 'center', streak: 3 }]);
    const day = evaluateDay(dayInput({ items, previous }));
    expect(day.exceptions[0]).toMatchObject({ state: 'continuing', streak: 4 });
    expect(day.exceptions[1]).toMatchObject({ state: 'new', streak: 1 });
  });

  it('does not carry a streak across a missing day', () => {
    const previous = previousDay('2026-03-08', [{ metric: 'service_level', scope: 'center', streak: 3 }]);
    const day = evaluateDay(dayInput({ items, previous }));
    expect(day.exceptions[0]).toMatchObject({ state: 'new', streak: 1 });
  });

  it('lists as recovered what breached yesterday and is met today, not what is merely unjudged', () => {
    const previous = previousDay('2026-03-09', [
      { metric: 'service_level', scope: 'queue', id: 'vip', streak: 2 },
      { metric: 'service_level', scope: 'queue', id: 'gone', streak: 1 },
      { metric: 'aht_seconds', scope: 'team', id: 'A', streak: 1 },
    ]);
    const day = evaluateDay(
      dayInput({
        items: [...items.slice(0, 3), item('team', 'A', { aht_seconds: 400, handled: 10 })],
        previous,
      }),
    );
    expect(day.recovered).toEqual([
      {
        metric: 'service_level',
        scope: 'queue',
        id: 'vip',
        actual: 0.99,
        target: { gte: 0.95 },
        previous_streak: 2,
      },
    ]);
  });

  it('without a breakdown gives no contributions, segments or verdict', () => {
    const day = evaluateDay(dayInput({ items }));
    expect(day.exceptions[0]).toMatchObject({ contributions: {}, verdict: null, suspect_data: false });
    expect(day.exceptions[0]?.causes).toEqual([]);
    expect(day.exceptions[0]?.summary).toBe('Service level 90.0 % (target ≥ 95.0 %).');
  });

  it('splits a per-agent metric into the agents furthest out, not into contributions', () => {
    const day = evaluateDay(
      dayInput(
        {
          items: [
            item('center', CENTER, { handled_per_agent: 30, agents_active: 40, handled: 1200 }),
            item('agent', 'A1', { handled_per_agent: 10, agents_active: 1 }),
            item('agent', 'A2', { handled_per_agent: 38, agents_active: 1 }),
            item('agent', 'A3', { handled_per_agent: 60, agents_active: 1 }),
            item('agent', 'A4', { handled_per_agent: 5, agents_active: 1 }),
          ],
          breakdown: {
            cells: [cell('center', CENTER, 'team', 'T', { handled_per_agent: 30, agents_active: 40 })],
            staffed_agents_by_hour: {},
          },
        },
        { targets: { handled_per_agent: { gte: 40 } } },
      ),
    );
    const x = day.exceptions.find((e) => e.metric === 'handled_per_agent');
    expect(x?.contributions).toEqual({});
    expect(x?.causes).toEqual([
      { kind: 'agent', id: 'A4', value: 5, volume: 1, distance: 35 },
      { kind: 'agent', id: 'A1', value: 10, volume: 1, distance: 30 },
      { kind: 'agent', id: 'A2', value: 38, volume: 1, distance: 2 },
    ]);
    expect(x?.summary).toBe(
      'Handled per agent 30 (target ≥ 40). Furthest out: agents A4 (5), A1 (10), A2 (38).',
    );
  });
});
