/**
 * Display formatting for managers (exceptions.md §4): rates and their targets as percentages
 * with one decimal, durations in whole seconds, other values with up to two decimals. The API
 * never rounds; only the summary sentences and the email use these.
 */
import type { Target } from '../config.js';
import { metricDefinition } from '../kpi/catalog.js';

type Kind = 'percent' | 'seconds' | 'plain';

function kindOf(metric: string): Kind {
  const unit = metricDefinition(metric)?.unit;
  if (unit === 'fraction') return 'percent';
  if (unit === 'seconds') return 'seconds';
  return 'plain';
}

function plain(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function bare(metric: string, value: number): string {
  switch (kindOf(metric)) {
    case 'percent':
      return (value * 100).toFixed(1);
    case 'seconds':
      return String(Math.round(value));
    default:
      return plain(value);
  }
}

function suffix(metric: string): string {
  const k = kindOf(metric);
  return k === 'percent' ? ' %' : k === 'seconds' ? ' s' : '';
}

/** A metric's value for reading: `71.2 %`, `245 s`, `3.25`; `–` for null. */
export function formatValue(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${bare(metric, value)}${suffix(metric)}`;
}

/** A target for reading: `≥ 80.0 %`, `≤ 15 s`, `60–180 s`. */
export function formatTarget(metric: string, target: Target): string {
  if ('gte' in target) return `≥ ${formatValue(metric, target.gte)}`;
  if ('lte' in target) return `≤ ${formatValue(metric, target.lte)}`;
  const [lo, hi] = target.between;
  return `${bare(metric, lo)}–${bare(metric, hi)}${suffix(metric)}`;
}

/** A share (0.71 → `71 %`), for volume shares and shares of the gap. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${Math.round(share * 100)} %`;
}

/** A signed relative change (0.293 → `+29 %`). */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '–';
  const pct = Math.round(change * 100);
  return `${pct > 0 ? '+' : ''}${pct} %`;
}

/** A metric's display title without the Chinese name, e.g. "Service level". */
export function metricTitle(metric: string): string {
  const title = metricDefinition(metric)?.title ?? metric;
  return title.replace(/\s*\(.*\)\s*$/, '');
}

/** A local hour id as a range: `10` → `10:00–11:00`. */
export function formatHour(id: string): string {
  const h = Number(id);
  if (!Number.isInteger(h)) return id;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:00–${pad((h + 1) % 24)}:00`;
}

/** Where an exception sits, for reading: `centre sh01`, `queue billing`, `team B`. */
export function formatScope(scope: string, id: string): string {
  return `${scope === 'center' ? 'centre' : scope} ${id}`;
}

/**
 * One child of a split, for reading: `team B`, `agent A0132`, `10:00–11:00`. The child `""`
 * is the part of the population without a value on that dimension (exceptions.md §2.1).
 */
export function formatSegment(dimension: string, id: string): string {
  if (id === '') return `no ${dimension} recorded`;
  return dimension === 'hour' ? formatHour(id) : `${dimension} ${id}`;
}
