/**
 * Ingest one S3 object end to end (architecture.md rules 2, 4, 5): idempotent on the object's
 * identity (key + version id or ETag), never on the message id; a new version of a key
 * replaces everything the old version contributed; a crash anywhere followed by a retry ends
 * in the same state, because curated objects are overwritten and the key's pointer moves last.
 */
import { CallerTokenizer } from '../domain/caller.js';
import { defaultCenterConfig } from '../domain/config.js';
import type { ExportKind } from '../domain/formats/types.js';
import { type IngestResult, ingestObject, type ParserRegistry } from '../domain/ingest/ingest-object.js';
import { routeObjectKey } from '../domain/ingest/object-key.js';
import { addDays, localDate } from '../domain/time.js';
import type {
  CenterStore,
  CuratedStore,
  DayChangeNotifier,
  ExportSource,
  LedgerEntry,
  LedgerStore,
} from './ports.js';

/** Surveys and QA evaluations are joined to contacts up to this many days before their own date (docs/decisions.md). */
export const LATE_RECORD_DAYS = 7;

export interface IngestServiceDeps {
  source: ExportSource;
  curated: CuratedStore;
  ledger: LedgerStore;
  centers: CenterStore;
  notifier: DayChangeNotifier;
  parsers: ParserRegistry;
  callerKey: () => Promise<string>;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type IngestOutcomeKind = 'processed' | 'rejected' | 'already-ingested' | 'object-gone';

export interface IngestOutcome {
  outcome: IngestOutcomeKind;
  center: string;
  key: string;
  version: string | null;
  entry?: LedgerEntry;
}

/** Days whose KPIs an object's records can change (kpis.md: FCR looks two hours into the next day). */
export function affectedDays(kind: ExportKind, days: string[]): string[] {
  const out = new Set<string>();
  for (const d of days) {
    out.add(d);
    if (kind === 'cdr') {
      out.add(addDays(d, -1));
      // A queue_log call can span midnight; its later segments are numbered from earlier ones.
      out.add(addDays(d, 1));
    }
    if (kind === 'survey' || kind === 'qa')
      for (let i = 1; i <= LATE_RECORD_DAYS; i++) out.add(addDays(d, -i));
  }
  return [...out].sort();
}

export class IngestService {
  private readonly now: () => Date;

  constructor(private readonly deps: IngestServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async ingest(bucket: string, key: string): Promise<IngestOutcome> {
    // A concurrent upload may replace the object while we work: re-run on the current version (at most 3 times).
    let last: IngestOutcome | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      last = await this.ingestCurrent(bucket, key);
      if (last.outcome !== 'processed' && last.outcome !== 'rejected') return last;
      const current = await this.deps.source.identity(bucket, key);
      const currentVersion = current ? (current.versionId ?? current.etag) : null;
      if (currentVersion === null || currentVersion === last.version) break;
    }
    return last as IngestOutcome;
  }

  private async ingestCurrent(bucket: string, key: string): Promise<IngestOutcome> {
    const { source, ledger, centers, curated } = this.deps;
    const route = routeObjectKey(key);
    const object = await source.open(bucket, key);
    if (!object) return { outcome: 'object-gone', center: route.center, key, version: null };
    const version = object.versionId ?? object.etag;
    const receivedAt = this.now();

    const stored = await centers.getConfig(route.center);
    const config = stored?.config ?? defaultCenterConfig();
    const base: LedgerEntry = {
      center: route.center,
      key,
      version,
      etag: object.etag,
      size: object.size,
      kind: route.ok ? route.kind : null,
      format: null,
      encoding: null,
      status: 'processing',
      rows_read: 0,
      rows_accepted: 0,
      rows_quarantined: 0,
      rows_duplicate: 0,
      days: [],
      reason: '',
      quarantine_key: null,
      quarantine_reasons: {},
      received_at: receivedAt.toISOString(),
      received_day: localDate(receivedAt.getTime(), config.timezone),
      processed_at: null,
    };

    if (!route.ok) {
      object.discard();
      const entry: LedgerEntry = {
        ...base,
        status: 'rejected',
        reason: route.reason,
        processed_at: receivedAt.toISOString(),
      };
      await ledger.put(entry);
      return { outcome: 'rejected', center: route.center, key, version, entry };
    }
    const center = route.center;
    const pointer = await ledger.getPointer(center, key);
    const lastProcessed =
      pointer?.processed_version ?? (pointer?.status === 'processed' ? pointer.version : null);
    if (
      pointer &&
      pointer.version === version &&
      (pointer.status === 'processed' || pointer.status === 'rejected')
    ) {
      object.discard();
      return { outcome: 'already-ingested', center, key, version };
    }
    await ledger.put(base);

    const tokenizer = new CallerTokenizer(
      await this.deps.callerKey(),
      config.parameters.default_country_code,
    );
    const result = await ingestObject({
      kind: route.kind,
      body: object.body,
      parsers: this.deps.parsers,
      ctx: {
        center,
        timezone: config.timezone,
        tokenizeCaller: (raw) => tokenizer.token(raw),
        now: receivedAt.getTime(),
      },
    });
    const entry = this.entryFrom(base, result);

    if (result.status === 'rejected') {
      // The centre's data stays as the previous version left it (interfaces.md §2 "Bad input").
      await ledger.put(entry);
      await ledger.setPointer(center, key, {
        version,
        status: 'rejected',
        processed_version: lastProcessed,
        curated_keys: pointer?.curated_keys ?? [],
        quarantine_key: pointer?.quarantine_key ?? null,
        days: pointer?.days ?? [],
      });
      this.deps.log?.('object rejected', { center, key, version, reason: result.reason });
      return { outcome: 'rejected', center, key, version, entry };
    }

    let changedDays: string[];
    let curatedKeys: string[] = [];
    let quarantineKey: string | null = null;
    if (result.kind === 'config' && result.config) {
      await centers.putConfig(center, result.config, key);
      changedDays = await centers.listDays(center);
    } else {
      const src = { key, version };
      const refs = await Promise.all(result.groups.map((g) => curated.putGroup(center, src, g)));
      curatedKeys = refs.map((r) => r.key);
      if (result.quarantine) quarantineKey = await curated.putQuarantine(center, src, result.quarantine.body);
      // Whatever the previous version wrote and this one did not is removed: the new version replaces it.
      const stale = (pointer?.curated_keys ?? []).filter((k) => !curatedKeys.includes(k));
      if (pointer?.quarantine_key && !quarantineKey) stale.push(pointer.quarantine_key);
      await curated.delete(stale);
      const touched = [...new Set([...result.days, ...(pointer?.days ?? [])])];
      changedDays =
        result.kind === 'roster' ? await centers.listDays(center) : affectedDays(result.kind, touched);
    }
    entry.quarantine_key = quarantineKey;

    // Signal before moving the pointer: a crash in between re-runs the whole object, never loses the signal.
    if (changedDays.length > 0) {
      await centers.markDaysChanged(center, changedDays, receivedAt);
      await this.deps.notifier.notify(center, changedDays);
    }
    await ledger.put(entry);
    // The version whose records this one replaced, even with a rejected version in between.
    if (lastProcessed !== null && lastProcessed !== version) {
      await ledger.markSuperseded(center, key, lastProcessed);
    }
    await ledger.setPointer(center, key, {
      version,
      status: 'processed',
      processed_version: version,
      curated_keys: curatedKeys,
      quarantine_key: quarantineKey,
      days: result.days,
    });
    this.deps.log?.('object processed', {
      center,
      key,
      version,
      format: result.format,
      rows_read: result.rows_read,
      rows_accepted: result.rows_accepted,
      rows_quarantined: result.rows_quarantined,
      rows_duplicate: result.rows_duplicate,
      days: result.days.length,
    });
    return { outcome: 'processed', center, key, version, entry };
  }

  private entryFrom(base: LedgerEntry, r: IngestResult): LedgerEntry {
    return {
      ...base,
      format: r.format,
      encoding: r.encoding,
      status: r.status,
      rows_read: r.rows_read,
      rows_accepted: r.rows_accepted,
      rows_quarantined: r.rows_quarantined,
      rows_duplicate: r.rows_duplicate,
      days: r.days,
      reason: r.reason,
      quarantine_reasons: r.quarantine_reasons,
      processed_at: this.now().toISOString(),
    };
  }
}
