/**
 * Deduplication (kpis.md §1 and §3; architecture.md rule 3). Records of one key may arrive
 * many times, in the same object or in different objects, in any order; the winner depends
 * only on the records and their source positions, never on the order they are given in:
 * the greatest version wins, then the lexicographically greater object key, then the later
 * line within that object. (source_key, line) identifies one position, so it breaks every tie.
 */
import type { ContactRecord, QaEvaluation, RosterEntry, SourcePosition, SurveyResponse } from '../records.js';

/** A record with the position it was read from. */
export interface Sourced<T> extends SourcePosition {
  record: T;
}

/** True when `a` is at a later source position than `b`. */
function laterPosition(a: SourcePosition, b: SourcePosition): boolean {
  if (a.source_key !== b.source_key) return a.source_key > b.source_key;
  return a.line > b.line;
}

/** True when version `aVersion` read at `a` wins over `bVersion` read at `b` (the rule above). */
export function supersedes(
  a: SourcePosition,
  aVersion: number,
  b: SourcePosition,
  bVersion: number,
): boolean {
  if (aVersion !== bVersion) return aVersion > bVersion;
  return laterPosition(a, b);
}

function dedupeBy<T>(
  items: Iterable<Sourced<T>>,
  key: (record: T) => string,
  version: (record: T) => number,
): T[] {
  const winners = new Map<string, Sourced<T>>();
  for (const item of items) {
    const k = key(item.record);
    const held = winners.get(k);
    if (!held || supersedes(item, version(item.record), held, version(held.record))) winners.set(k, item);
  }
  return Array.from(winners.values(), (w) => w.record);
}

/** One record per (center, contact_id): the greatest last_updated_at wins. */
export function dedupeContacts(items: Iterable<Sourced<ContactRecord>>): ContactRecord[] {
  // Keyed per centre without building a composite string per record (a day is ~1M records).
  const byCenter = new Map<string, Sourced<ContactRecord>[]>();
  for (const item of items) {
    const list = byCenter.get(item.record.center);
    if (list) list.push(item);
    else byCenter.set(item.record.center, [item]);
  }
  const out: ContactRecord[] = [];
  for (const list of byCenter.values()) {
    for (const r of dedupeBy(
      list,
      (c) => c.contact_id,
      (c) => c.last_updated_at,
    ))
      out.push(r);
  }
  return out;
}

/** One response per contact_id: the latest responded_at wins. */
export function dedupeSurveys(items: Iterable<Sourced<SurveyResponse>>): SurveyResponse[] {
  return dedupeBy(
    items,
    (s) => s.contact_id,
    (s) => s.responded_at,
  );
}

/** One evaluation per evaluation_id: the latest evaluated_at wins. */
export function dedupeQa(items: Iterable<Sourced<QaEvaluation>>): QaEvaluation[] {
  return dedupeBy(
    items,
    (q) => q.evaluation_id,
    (q) => q.evaluated_at,
  );
}

/** One roster row per (agent_id, effective_from): the later source position wins. */
export function dedupeRoster(items: Iterable<Sourced<RosterEntry>>): RosterEntry[] {
  return dedupeBy(
    items,
    (r) => `${r.agent_id}\u0000${r.effective_from}`,
    () => 0,
  );
}

/**
 * The roster row in force for each agent on `date` (YYYY-MM-DD): the latest effective_from
 * ≤ date; '' (applies to all days) sorts below every date, so it is the fallback. Each row is
 * its own assignment: an agent missing from a newer roster file keeps its older row. Rows
 * should come from dedupeRoster; a remaining tie is broken by team name so the result still
 * does not depend on order.
 */
export function rosterInForce(entries: Iterable<RosterEntry>, date: string): Map<string, RosterEntry> {
  const inForce = new Map<string, RosterEntry>();
  for (const e of entries) {
    if (e.effective_from > date) continue;
    const held = inForce.get(e.agent_id);
    if (
      !held ||
      e.effective_from > held.effective_from ||
      (e.effective_from === held.effective_from && e.team > held.team)
    )
      inForce.set(e.agent_id, e);
  }
  return inForce;
}
