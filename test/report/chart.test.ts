import { describe, expect, it } from 'vitest';
import { renderTrendPng, trendSpec } from '../../functions/report/chart.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function days(values: Array<number | null>): Array<{ date: string; value: number | null }> {
  return values.map((value, i) => ({ date: `2026-11-${String(9 + i).padStart(2, '0')}`, value }));
}

/** Width and height from the IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('renderTrendPng', () => {
  it('draws a 14-day series with missing days as a 2× PNG', async () => {
    const png = await renderTrendPng({
      metric: 'service_level',
      target: { gte: 0.8 },
      points: days([0.83, 0.85, 0.81, null, null, 0.84, 0.82, 0.8, 0.79, null, 0.83, 0.81, 0.77, 0.712]),
    });
    expect(png.subarray(0, 8)).toEqual(PNG_MAGIC);
    expect(pngSize(png)).toEqual({ width: 1200, height: 440 });
  });

  it('draws a band target and a series with no values at all', async () => {
    const png = await renderTrendPng({
      metric: 'aht_seconds',
      target: { between: [180, 330] },
      points: days(Array.from({ length: 14 }, () => null)),
    });
    expect(png.subarray(0, 8)).toEqual(PNG_MAGIC);
  });
});

describe('trendSpec', () => {
  it('shows fractions as percentages and breaks the line at missing days', () => {
    const spec = JSON.stringify(
      trendSpec({ metric: 'service_level', target: { gte: 0.8 }, points: days([0.8, null]) }),
    );
    expect(spec).toContain('"format":".1~%"');
    expect(spec).toContain('"invalid":"break-paths-show-domains"');
    expect(spec).toContain('"type":"rule"');
  });

  it('draws a between target as a band', () => {
    const spec = JSON.stringify(
      trendSpec({ metric: 'aht_seconds', target: { between: [180, 330] }, points: days([200]) }),
    );
    expect(spec).toContain('"type":"rect"');
    expect(spec).toContain('target 180–330 s');
  });
});
