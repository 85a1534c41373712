/**
 * Test support: the demo's files through the real formats (decoding, format detection, the
 * parsers, caller tokens, queue_log assembly, deduplication) into the KPI engine, and a plain
 * evaluation of the KPIs against the demo config's targets (exceptions.md §1: override >
 * centre target > preset; min_volume), so the demo's story is checked on what the pipeline
 * computes. The parsers are driven directly, so the check does not depend on how the ingest
 * stores curated records.
 */
import type { DemoFile } from '../../functions/demo/generate.js';
import { CallerTokenizer } from '../../functions/domain/caller.js';
import {
  type CenterConfig,
  CenterConfigSchema,
  type Parameters,
  PRESETS,
  resolveParameters,
  type Target,
} from '../../functions/domain/config.js';
import { assembleQueueLog } from '../../functions/domain/formats/queue-log.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import type { ExportFormat, RowSink } from '../../functions/domain/formats/types.js';
import { decodeObject } from '../../functions/domain/ingest/decode.js';
import { detectFormat } from '../../functions/domain/ingest/detect-format.js';
import { routeObjectKey } from '../../functions/domain/ingest/object-key.js';
import { metricDefinition } from '../../functions/domain/kpi/catalog.js';
import {
  dedupeContacts,
  dedupeQa,
  dedupeRoster,
  dedupeSurveys,
  type Sourced,
} from '../../functions/domain/kpi/dedupe.js';
import { computeDayKpis, type KpiRecord } from '../../functions/domain/kpi/rollup.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  QueueLogEvent,
  RecordKind,
  RecordOfKind,
  RosterEntry,
  SurveyResponse,
} from '../../functions/domain/records.js';
import { localDayBounds } from '../../functions/domain/time.js';

async function* once(body: string | Buffer): AsyncGenerator<Uint8Array> {
  yield Buffer.isBuffer(body) ? body : Buffer.from(body);
}

export interface DemoCenter {
  config: CenterConfig;
  params: Parameters;
  /** Formats of the CDR files, by object key. */
  formats: Map<string, ExportFormat>;
  /** KPI records of a day, computed as the rollup would. */
  kpis(date: string): KpiRecord[];
}

/** Parse every file and keep the canonical records in memory. */
export async function loadDemo(files: DemoFile[], now: number): Promise<DemoCenter> {
  const records: { [K in RecordKind]: Array<Sourced<RecordOfKind[K]>> } = {
    contacts: [],
    surveys: [],
    qa: [],
    roster: [],
    agent_states: [],
    queue_events: [],
  };
  const formats = new Map<string, ExportFormat>();
  let config: CenterConfig | undefined;
  let center = '';
  const tokenizer = new CallerTokenizer('demo-test-caller-key', '86');
  for (const f of files) {
    const route = routeObjectKey(f.key);
    if (!route.ok) throw new Error(route.reason);
    center = route.center;
    const decoded = await decodeObject(once(f.body));
    if (route.kind === 'config') {
      let text = '';
      for await (const c of decoded.chunks) text += c;
      config = CenterConfigSchema.parse(JSON.parse(text));
      continue;
    }
    const sink: RowSink = {
      accept(kind, record, line) {
        (records[kind] as Array<Sourced<unknown>>).push({ record, source_key: f.key, line });
      },
      quarantine(line, reason) {
        throw new Error(`${f.key}:${line}: ${reason}`);
      },
      acceptWithoutRecord() {},
    };
    let parser: ReturnType<(typeof PARSERS)[keyof typeof PARSERS]> | undefined;
    for await (const text of decoded.chunks) {
      if (!parser) {
        const format = detectFormat(route.kind, text);
        if (format === 'center-config') throw new Error(`${f.key}: unexpected config`);
        if (route.kind === 'cdr') formats.set(f.key, format);
        parser = PARSERS[format](
          {
            center: route.center,
            timezone: config?.timezone ?? 'UTC',
            tokenizeCaller: (x) => tokenizer.token(x),
            now,
          },
          sink,
        );
      }
      parser.write(text);
    }
    parser?.end();
  }
  if (!config) throw new Error('no config file');
  const params = resolveParameters(config, { localMode: true });
  const assembled = assembleQueueLog(
    records.queue_events.map((e) => e.record as QueueLogEvent),
    { center, timezone: params.timezone },
  );
  const contacts: ContactRecord[] = [...dedupeContacts(records.contacts), ...assembled.contacts];
  const states: AgentStateInterval[] = [
    ...records.agent_states.map((s) => s.record),
    ...assembled.agentStates,
  ];
  const surveys: SurveyResponse[] = dedupeSurveys(records.surveys);
  const qa: QaEvaluation[] = dedupeQa(records.qa);
  const roster: RosterEntry[] = dedupeRoster(records.roster);
  const fcrWindow = params.fcr_window_seconds * 1000;

  return {
    config,
    params,
    formats,
    kpis(date) {
      const { start, end } = localDayBounds(date, params.timezone);
      // The day's contacts and the next ones an FCR repeat can come from.
      const dayContacts = contacts.filter((c) => c.initiated_at >= start && c.initiated_at < end + fcrWindow);
      const dayStates = states.filter((s) => s.start < end && s.end > start);
      return computeDayKpis({
        center,
        date,
        params,
        contacts: dayContacts,
        surveys,
        qa,
        roster,
        agentStates: dayStates.length > 0 ? dayStates : null,
      });
    },
  };
}

export type Status = 'not_applicable' | 'insufficient_data' | 'met' | 'breached';

export interface Judged {
  metric: string;
  scope: string;
  id: string;
  value: number | null;
  target: Target;
  status: Status;
}

function meets(value: number, t: Target): boolean {
  if ('gte' in t) return value >= t.gte;
  if ('lte' in t) return value <= t.lte;
  return value >= t.between[0] && value <= t.between[1];
}

/** Every target judged at centre, queue, team and agent scope (exceptions.md §1). */
export function judge(config: CenterConfig, params: Parameters, records: KpiRecord[]): Judged[] {
  const out: Judged[] = [];
  const centre = { ...PRESETS[config.preset], ...config.targets };
  for (const r of records) {
    if (r.scope === 'hour') continue;
    const override = config.overrides.find((o) => o.scope === r.scope && o.id === r.id)?.targets ?? {};
    for (const [metric, target] of Object.entries({ ...centre, ...override })) {
      const value = r.metrics[metric];
      const volumeName = metricDefinition(metric)?.volume ?? metric;
      const volume = r.metrics[volumeName];
      const minVolume = params.min_volume.metrics[metric] ?? params.min_volume[r.scope];
      let status: Status;
      if (value === null || value === undefined) status = 'not_applicable';
      else if ((volume ?? 0) < minVolume) status = 'insufficient_data';
      else status = meets(value, target) ? 'met' : 'breached';
      out.push({ metric, scope: r.scope, id: r.id, value: value ?? null, target, status });
    }
  }
  return out;
}

/** The breaches that would be exceptions (centre, queue and team scope). */
export function exceptionsOf(judged: Judged[]): Judged[] {
  return judged.filter((j) => j.status === 'breached' && j.scope !== 'agent');
}

export function metricOf(records: KpiRecord[], scope: string, id: string, metric: string): number | null {
  return records.find((r) => r.scope === scope && r.id === id)?.metrics[metric] ?? null;
}
