import { describe, expect, it } from 'vitest';
import { resolveParameters } from '../../functions/domain/config.js';
import { targetFor, targetsInForce, targetsVersion } from '../../functions/domain/exceptions/evaluate.js';
import { judge, minVolumeFor, severityOf } from '../../functions/domain/exceptions/targets.js';
import { config } from './factories.js';

function tifOf(doc: Record<string, unknown>) {
  const cfg = config(doc);
  return targetsInForce(cfg, resolveParameters(cfg));
}

describe('targets in force', () => {
  const tif = tifOf({
    preset: 'recommended',
    targets: { aht_seconds: { between: [60, 240] }, csat_avg: { gte: 4.2 } },
    overrides: [{ scope: 'queue', id: 'complaints', targets: { aht_seconds: { between: [120, 480] } } }],
  });

  it('lets a queue override beat the centre target, which beats the preset', () => {
    expect(targetFor(tif, 'aht_seconds', 'queue', 'complaints')).toEqual({ between: [120, 480] });
    expect(targetFor(tif, 'aht_seconds', 'queue', 'sales')).toEqual({ between: [60, 240] });
    expect(targetFor(tif, 'aht_seconds', 'center', 'c1')).toEqual({ between: [60, 240] });
    expect(targetFor(tif, 'service_level', 'center', 'c1')).toEqual({ gte: 0.95 });
  });

  it('applies an override only to its own scope: a team named like the queue gets the centre target', () => {
    expect(targetFor(tif, 'aht_seconds', 'team', 'complaints')).toEqual({ between: [60, 240] });
    expect(targetFor(tif, 'aht_seconds', 'agent', 'complaints')).toEqual({ between: [60, 240] });
  });

  it('keeps a centre target for a metric without a preset target', () => {
    expect(targetFor(tif, 'csat_avg', 'team', 'A')).toEqual({ gte: 4.2 });
    expect(targetFor(tif, 'abandon_rate', 'center', 'c1')).toBeUndefined();
  });

  it('gives the same version whatever the key order, and a new one when a target changes', () => {
    const reordered = tifOf({
      overrides: [{ scope: 'queue', id: 'complaints', targets: { aht_seconds: { between: [120, 480] } } }],
      targets: { csat_avg: { gte: 4.2 }, aht_seconds: { between: [60, 240] } },
      preset: 'recommended',
    });
    expect(targetsVersion(reordered)).toBe(targetsVersion(tif));
    expect(targetsVersion(tif)).toMatch(/^[0-9a-f]{12}$/);
    const changed = tifOf({ targets: { aht_seconds: { between: [60, 241] }, csat_avg: { gte: 4.2 } } });
    expect(targetsVersion(changed)).not.toBe(targetsVersion(tif));
  });

  it('takes min_volume per metric over the scope default', () => {
    const t = tifOf({ parameters: { min_volume: { agent: 10, metrics: { csat_avg: 5 } } } });
    expect(minVolumeFor(t, 'csat_avg', 'agent')).toBe(5);
    expect(minVolumeFor(t, 'csat_avg', 'hour')).toBe(5);
    expect(minVolumeFor(t, 'aht_seconds', 'agent')).toBe(10);
    expect(minVolumeFor(t, 'aht_seconds', 'center')).toBe(30);
  });
});

describe('judging a value', () => {
  it('decides not applicable, then insufficient volume, then met or breached', () => {
    expect(judge(null, 100, 30, { gte: 0.8 }).status).toBe('not_applicable');
    expect(judge(0.1, 29, 30, { gte: 0.8 }).status).toBe('insufficient_data');
    expect(judge(0.1, 30, 30, { gte: 0.8 })).toEqual({
      status: 'breached',
      bound: 0.8,
      severity: 'critical',
    });
    expect(judge(0.8, 30, 30, { gte: 0.8 })).toEqual({ status: 'met', bound: null, severity: null });
  });

  it('treats between as inclusive and names the bound on the side the value fell', () => {
    const t = { between: [60, 180] as [number, number] };
    expect(judge(60, 100, 30, t).status).toBe('met');
    expect(judge(180, 100, 30, t).status).toBe('met');
    expect(judge(59, 100, 30, t)).toMatchObject({ status: 'breached', bound: 60 });
    expect(judge(200, 100, 30, t)).toMatchObject({ status: 'breached', bound: 180 });
    expect(judge(15, 100, 30, { lte: 15 }).status).toBe('met');
    expect(judge(16, 100, 30, { lte: 15 })).toMatchObject({ status: 'breached', bound: 15 });
  });

  it('grades severity at 5 % and 15 % of the bound', () => {
    expect(severityOf(95.01, 100)).toBe('minor'); // 4.99 %
    expect(severityOf(95, 100)).toBe('major'); // 5 %
    expect(severityOf(114.99, 100)).toBe('major');
    expect(severityOf(85, 100)).toBe('critical'); // 15 %
    expect(severityOf(-0.2, -0.1)).toBe('critical');
  });

  it('calls any breach of a zero bound critical', () => {
    expect(judge(1, 50, 30, { lte: 0 })).toEqual({ status: 'breached', bound: 0, severity: 'critical' });
  });
});
