/**
 * The 14-day trend chart of an exception's metric against its target, as a PNG: mail clients
 * drop SVG (exceptions.md §4). Vega-Lite → Vega (headless, renderer 'none') → SVG → resvg-wasm.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Target } from '../domain/config.js';
import { metricDefinition } from '../domain/kpi/catalog.js';
import { formatTarget } from '../domain/report/format.js';

/** File names a bundle must carry next to its entry file (see `assetCandidates`). */
export const RESVG_WASM_FILE = 'index_bg.wasm';
export const CHART_FONT_FILE = 'DejaVuSans.ttf';
const FONT_FAMILY = 'DejaVu Sans';

export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 220;
/** Rendered at 2× so the chart stays sharp on high-density screens. */
const SCALE = 2;

export class ChartAssetError extends Error {
  override name = 'ChartAssetError';
}

export interface TrendInput {
  metric: string;
  target: Target;
  points: Array<{ date: string; value: number | null }>;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where an asset may be: next to the running file first (a Lambda bundle, where the deploy
 * copies both files beside `index.mjs`), then the source tree (tests, local mode, scripts).
 */
function assetCandidates(file: string): string[] {
  const candidates = [join(here, file), join(here, 'assets', file)];
  if (file === RESVG_WASM_FILE) {
    try {
      candidates.push(createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'));
    } catch {
      // Not resolvable from a bundle without node_modules; the bundle copy is used instead.
    }
  }
  return candidates;
}

function locate(file: string): string {
  const candidates = assetCandidates(file);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ChartAssetError(`${file} not found; looked in ${candidates.join(', ')}`);
  return found;
}

let ready: Promise<Uint8Array> | undefined;

/** Loads the wasm and the font once per process; a failed attempt is retried on the next call. */
function prepare(): Promise<Uint8Array> {
  ready ??= (async () => {
    const [wasm, font] = await Promise.all([
      readFile(locate(RESVG_WASM_FILE)),
      readFile(locate(CHART_FONT_FILE)),
    ]);
    await initWasm(wasm);
    return new Uint8Array(font);
  })().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

/** Value-axis labels in the units the email uses: percentages, whole seconds, plain numbers. */
function valueAxis(metric: string): { format: string; labelExpr?: string } {
  const unit = metricDefinition(metric)?.unit;
  if (unit === 'fraction') return { format: '.1~%' };
  if (unit === 'seconds') return { format: ',.0f', labelExpr: "datum.label + ' s'" };
  return { format: ',.4~f' };
}

function outside(target: Target, value: number): boolean {
  if ('gte' in target) return value < target.gte;
  if ('lte' in target) return value > target.lte;
  return value < target.between[0] || value > target.between[1];
}

/** The Vega-Lite spec, exported so tests and previews can inspect it without rendering. */
export function trendSpec(input: TrendInput): TopLevelSpec {
  const values = input.points.map((p) => ({
    date: p.date,
    value: p.value,
    status: p.value === null ? 'none' : outside(input.target, p.value) ? 'off target' : 'on target',
  }));
  const t = input.target;
  const labelAt =
    'gte' in t
      ? { bound: t.gte, above: false }
      : 'lte' in t
        ? { bound: t.lte, above: true }
        : { bound: t.between[1], above: false };
  // Dates as local calendar days: parse as UTC and format as UTC so no time zone shifts a day.
  const x = {
    field: 'date',
    type: 'temporal' as const,
    timeUnit: 'utcyearmonthdate' as const,
    title: null,
    axis: { format: '%-d %b', labelAngle: 0, grid: false, tickCount: { interval: 'day', step: 2 } },
  };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: null,
    scale: { zero: false, nice: true },
    axis: { ...valueAxis(input.metric), tickCount: 4 },
  };
  const targetLayer =
    'between' in t
      ? {
          data: { values: [{ lo: t.between[0], hi: t.between[1] }] },
          mark: { type: 'rect' as const, color: '#2e7d32', opacity: 0.12 },
          encoding: { y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' } },
        }
      : {
          data: { values: [{ bound: labelAt.bound }] },
          mark: { type: 'rule' as const, color: '#2e7d32', strokeDash: [8, 5], strokeWidth: 2.5 },
          encoding: { y: { field: 'bound', type: 'quantitative' as const } },
        };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: { left: 6, right: 12, top: 8, bottom: 6 },
    background: 'white',
    config: {
      font: FONT_FAMILY,
      view: { stroke: null },
      // Large labels: on a phone the 600 px image is shown at about 330 px.
      axis: {
        labelFontSize: 17,
        labelColor: '#333',
        domainColor: '#999',
        tickColor: '#999',
        labelPadding: 4,
      },
    },
    layer: [
      targetLayer,
      // A direct label beats a legend. It sits at the left, where the older (usually good)
      // days are, on the side of the bound a breach falls, so it rarely covers a point.
      {
        data: { values: [{ bound: labelAt.bound }] },
        mark: {
          type: 'text',
          align: 'left',
          baseline: labelAt.above ? 'bottom' : 'top',
          dx: 6,
          dy: labelAt.above ? -4 : 4,
          fontSize: 16,
          color: '#2e7d32',
          text: `target ${formatTarget(input.metric, t)}`,
        },
        encoding: { x: { value: 0 }, y: { field: 'bound', type: 'quantitative' } },
      },
      {
        data: { values },
        // Nulls break the line instead of bridging a day with no data.
        mark: {
          type: 'line',
          color: '#1f5fa8',
          strokeWidth: 3,
          invalid: 'break-paths-show-domains',
        },
        encoding: { x, y },
      },
      {
        data: { values: values.filter((v) => v.value !== null) },
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          x,
          y,
          color: {
            field: 'status',
            type: 'nominal',
            scale: { domain: ['on target', 'off target'], range: ['#1f5fa8', '#c62828'] },
            legend: null,
          },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Renders the trend of `metric` against `target` as a PNG (about 1200×440 px, shown at 600×220). */
export async function renderTrendPng(input: TrendInput): Promise<Buffer> {
  const font = await prepare();
  const { spec } = compile(trendSpec(input));
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: SCALE },
      background: 'white',
      font: { fontBuffers: [font], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    });
    try {
      const image = resvg.render();
      try {
        return Buffer.from(image.asPng());
      } finally {
        image.free();
      }
    } finally {
      resvg.free();
    }
  } finally {
    view.finalize();
  }
}
