/** Small builders for KPI-engine inputs: every field defaulted, tests state only what matters. */
import { CenterConfigSchema, type Parameters, resolveParameters } from '../../functions/domain/config.js';
import type { DayInput, KpiRecord } from '../../functions/domain/kpi/rollup.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  RosterEntry,
  SurveyResponse,
} from '../../functions/domain/records.js';
import { zonedToUtc } from '../../functions/domain/time.js';

export function params(timezone = 'Asia/Shanghai', overrides: Record<string, unknown> = {}): Parameters {
  return resolveParameters(CenterConfigSchema.parse({ timezone, ...overrides }));
}

/** UTC instant of a local wall-clock time `YYYY-MM-DD HH:MM[:SS]` in `timezone`. */
export function local(dateTime: string, timezone = 'Asia/Shanghai'): number {
  const [date, time] = dateTime.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s = 0] = time.split(':').map(Number) as [number, number, number?];
  return zonedToUtc(y, mo, d, h, mi, s, 0, timezone);
}

export function contact(c: Partial<ContactRecord> & Pick<ContactRecord, 'contact_id'>): ContactRecord {
  return {
    direction: 'inbound',
    channel: 'voice',
    center: 'c1',
    queue: 'sales',
    agent_id: '',
    caller_token: '',
    initiated_at: 0,
    queue_seconds: 0,
    ring_seconds: 0,
    talk_seconds: 0,
    hold_seconds: 0,
    acw_seconds: 0,
    outcome: 'answered',
    disposition: '',
    last_updated_at: 0,
    ...c,
  };
}

export function survey(s: Partial<SurveyResponse> & Pick<SurveyResponse, 'contact_id'>): SurveyResponse {
  return { responded_at: 0, score: 3, complaint: false, agent_id: '', queue: '', ...s };
}

export function evaluation(q: Partial<QaEvaluation> & Pick<QaEvaluation, 'evaluation_id'>): QaEvaluation {
  return { contact_id: '', agent_id: '', evaluated_at: 0, score: 0, fatal: false, form: 'standard', ...q };
}

export function rosterRow(agent_id: string, team: string, effective_from = ''): RosterEntry {
  return { agent_id, team, name: '', supervisor: '', email: '', hire_date: '', effective_from };
}

export function state(
  agent_id: string,
  s: AgentStateInterval['state'],
  start: number,
  end: number,
): AgentStateInterval {
  return { agent_id, state: s, start, end };
}

export function find(
  records: KpiRecord[],
  scope: KpiRecord['scope'],
  id: string,
): Record<string, number | null> {
  const r = records.find((x) => x.scope === scope && x.id === id);
  if (!r) throw new Error(`no ${scope} record ${id}`);
  return r.metrics;
}

export function ids(records: KpiRecord[], scope: KpiRecord['scope']): string[] {
  return records.filter((r) => r.scope === scope).map((r) => r.id);
}

/** A centre-day's engine input with nothing in it but what the test gives. */
export function dayInput(date: string, partial: Partial<DayInput> = {}): DayInput {
  return {
    center: 'c1',
    date,
    params: params(),
    contacts: [],
    surveys: [],
    qa: [],
    roster: [],
    agentStates: null,
    ...partial,
  };
}
