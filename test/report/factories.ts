/** Small builders for digest inputs: every field defaulted, tests state only what matters. */
import type { Target } from '../../functions/domain/config.js';
import type { KpiException, RecoveredMetric } from '../../functions/domain/exceptions/model.js';
import type { DigestInput } from '../../functions/domain/report/digest.js';

function boundOf(target: Target, actual: number): number {
  if ('gte' in target) return target.gte;
  if ('lte' in target) return target.lte;
  return actual < target.between[0] ? target.between[0] : target.between[1];
}

function severityOf(actual: number, bound: number): KpiException['severity'] {
  const r = Math.abs(actual - bound) / Math.abs(bound);
  return r < 0.05 ? 'minor' : r < 0.15 ? 'major' : 'critical';
}

export function exception(
  e: Partial<KpiException> & Pick<KpiException, 'metric' | 'actual' | 'target'>,
): KpiException {
  const bound = e.bound ?? boundOf(e.target, e.actual);
  return {
    date: '2026-11-22',
    center: 'demo',
    scope: 'center',
    id: 'demo',
    bound,
    status: 'breached',
    severity: severityOf(e.actual, bound),
    state: 'new',
    streak: 1,
    volume: 1000,
    suspect_data: false,
    verdict: null,
    contributions: {},
    causes: [],
    summary: '',
    targets_version: 'v1',
    ...e,
  };
}

export function recoveredMetric(
  r: Partial<RecoveredMetric> & Pick<RecoveredMetric, 'metric'>,
): RecoveredMetric {
  return { scope: 'center', id: 'demo', actual: 0.85, target: { gte: 0.8 }, previous_streak: 1, ...r };
}

export function digestInput(d: Partial<DigestInput> = {}): DigestInput {
  return {
    center: 'demo',
    date: '2026-11-22',
    recipient: 'ops-director@example.com',
    restated: null,
    exceptions: [],
    recovered: [],
    allClear: false,
    apiPath: '/v1/centers/demo/exceptions?date=2026-11-22',
    charts: {},
    ...d,
  };
}
