/**
 * Reads everything one centre-day's KPIs depend on from the curated records and deduplicates
 * it into the engine's DayInput. Shared by the rollup (KPI records) and the evaluation
 * (breakdowns for the drill-down), so both see the same records.
 */
import type { Parameters } from '../domain/config.js';
import { assembleQueueLog } from '../domain/formats/queue-log.js';
import { dedupeContacts, dedupeQa, dedupeRoster, dedupeSurveys, type Sourced } from '../domain/kpi/dedupe.js';
import type { DayInput } from '../domain/kpi/rollup.js';
import type {
  AgentStateInterval,
  ContactRecord,
  QaEvaluation,
  QueueLogEvent,
  RecordKind,
  RosterEntry,
  SurveyResponse,
} from '../domain/records.js';
import { addDays, localDayBounds } from '../domain/time.js';
import { LATE_RECORD_DAYS } from './ingest-service.js';
import type { CuratedStore } from './ports.js';

export class CuratedDayReader {
  constructor(private readonly curated: CuratedStore) {}

  private async readKind<T>(
    center: string,
    kind: RecordKind,
    date: string | null,
  ): Promise<Array<Sourced<T>>> {
    const out: Array<Sourced<T>> = [];
    for (const key of await this.curated.list(center, kind, date)) {
      const { sourceKey, records } = await this.curated.read<T>(key);
      for (const r of records) {
        const { source_line, ...record } = r;
        out.push({ record: record as T, source_key: sourceKey, line: source_line });
      }
    }
    return out;
  }

  private async readDays<T>(center: string, kind: RecordKind, dates: string[]): Promise<Array<Sourced<T>>> {
    const parts = await Promise.all(dates.map((d) => this.readKind<T>(center, kind, d)));
    return parts.flat();
  }

  /** The engine's input for a centre-day. */
  async load(center: string, date: string, params: Parameters): Promise<DayInput> {
    const tz = params.timezone;
    const next = addDays(date, 1);
    const later = Array.from({ length: LATE_RECORD_DAYS + 1 }, (_, i) => addDays(date, i));

    const [contactItems, events, surveyItems, qaItems, rosterItems, stateItems] = await Promise.all([
      this.readDays<ContactRecord>(center, 'contacts', [date, next]),
      this.readDays<QueueLogEvent>(center, 'queue_events', [addDays(date, -1), date, next]),
      this.readDays<SurveyResponse>(center, 'surveys', later),
      this.readDays<QaEvaluation>(center, 'qa', later),
      this.readKind<RosterEntry>(center, 'roster', null),
      this.readDays<AgentStateInterval>(center, 'agent_states', [date]),
    ]);

    const contacts = dedupeContacts(contactItems);
    let agentStates = stateItems.map((s) => s.record);
    const { start, end } = localDayBounds(date, tz);
    if (events.length > 0) {
      const assembled = assembleQueueLog(
        events.map((e) => e.record),
        { center, timezone: tz },
      );
      const ids = new Set(contacts.map((c) => c.contact_id));
      for (const c of assembled.contacts) if (!ids.has(c.contact_id)) contacts.push(c);
      agentStates = agentStates.concat(assembled.agentStates.filter((s) => s.start < end && s.end > start));
    }
    const surveys = dedupeSurveys(surveyItems);
    const qa = dedupeQa(qaItems);
    contacts.push(...(await this.earlierContactsOf(center, date, contacts, surveys, qa, start, end)));

    return {
      center,
      date,
      params,
      contacts,
      surveys,
      qa,
      roster: dedupeRoster(rosterItems),
      agentStates: agentStates.length > 0 ? agentStates : null,
    };
  }

  /**
   * A response or evaluation dated on the day may belong to a contact of an earlier day (surveys
   * come in days late). Such a record is not "unmatched" and not an unknown-contact evaluation:
   * the earlier contacts it refers to are added (they lie outside the day, so the engine only
   * uses them to recognise the join). Read only when the day has such candidates.
   */
  private async earlierContactsOf(
    center: string,
    date: string,
    contacts: readonly ContactRecord[],
    surveys: readonly SurveyResponse[],
    qa: readonly QaEvaluation[],
    start: number,
    end: number,
  ): Promise<ContactRecord[]> {
    const known = new Set(contacts.map((c) => c.contact_id));
    const wanted = new Set<string>();
    for (const s of surveys)
      if (s.responded_at >= start && s.responded_at < end && !known.has(s.contact_id))
        wanted.add(s.contact_id);
    for (const e of qa)
      if (e.evaluated_at >= start && e.evaluated_at < end && !known.has(e.contact_id))
        wanted.add(e.contact_id);
    if (wanted.size === 0) return [];
    const earlier = Array.from({ length: LATE_RECORD_DAYS }, (_, i) => addDays(date, -1 - i));
    const items = await this.readDays<ContactRecord>(center, 'contacts', earlier);
    return dedupeContacts(items.filter((i) => wanted.has(i.record.contact_id)));
  }
}
