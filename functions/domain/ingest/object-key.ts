/**
 * What an object is, from its key (interfaces.md §1). Keys arrive URL-encoded in S3 events;
 * callers decode them before they get here.
 */
import { CENTER_ID_PATTERN } from '../../shared/definitions.js';
import type { ExportKind } from '../formats/types.js';

/** Ledger partition for objects whose key names no valid centre. */
export const UNROUTED_CENTER = '_unrouted';

export type ObjectRoute =
  | { ok: true; kind: ExportKind; center: string }
  | { ok: false; center: string; reason: string };

const KINDS: readonly ExportKind[] = ['cdr', 'survey', 'qa', 'roster', 'agent-states'];

export function routeObjectKey(key: string): ObjectRoute {
  const parts = key.split('/');
  const [prefix, second, third] = parts;
  if (prefix === 'config') {
    const file = parts.length === 3 && second === 'centers' ? third : undefined;
    const center = file?.endsWith('.json') ? file.slice(0, -'.json'.length) : undefined;
    if (center === undefined || !CENTER_ID_PATTERN.test(center)) {
      return {
        ok: false,
        center: UNROUTED_CENTER,
        reason: 'config objects must be named config/centers/{center}.json',
      };
    }
    return { ok: true, kind: 'config', center };
  }
  if (!KINDS.includes(prefix as ExportKind)) {
    return {
      ok: false,
      center: UNROUTED_CENTER,
      reason: `unknown prefix "${prefix}/": expected one of cdr/, survey/, qa/, roster/, agent-states/, config/centers/`,
    };
  }
  if (second === undefined || parts.length < 3 || !CENTER_ID_PATTERN.test(second)) {
    return {
      ok: false,
      center: UNROUTED_CENTER,
      reason: `key must be ${prefix}/{center}/… with a centre id of 1–64 letters, digits, "_" or "-"`,
    };
  }
  if (parts.slice(2).join('/') === '') {
    return { ok: false, center: second, reason: 'key names a folder, not a file' };
  }
  return { ok: true, kind: prefix as ExportKind, center: second };
}
