/** The demo data set is real-format data: every file ingests cleanly, in all three CDR formats. */
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../functions/demo/generate.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import { ingestObject } from '../../functions/domain/ingest/ingest-object.js';
import { routeObjectKey } from '../../functions/domain/ingest/object-key.js';

async function* once(body: string | Buffer): AsyncGenerator<Uint8Array> {
  yield Buffer.isBuffer(body) ? body : Buffer.from(body);
}

describe('demo data', () => {
  it('writes every export kind, in all three CDR formats, with no bad row', async () => {
    const files = generateDemo({ lastDay: '2026-11-22', days: 4, dailyVolume: 80 });
    const formats = new Set<string>();
    for (const f of files) {
      const route = routeObjectKey(f.key);
      if (!route.ok) throw new Error(route.reason);
      const r = await ingestObject({
        kind: route.kind,
        body: once(f.body),
        parsers: PARSERS,
        ctx: {
          center: 'demo',
          timezone: 'Asia/Shanghai',
          tokenizeCaller: (x) => (x ? 'tok' : ''),
          now: Date.UTC(2026, 10, 23),
        },
      });
      expect(r.status, `${f.key}: ${r.reason}`).toBe('processed');
      expect(r.rows_quarantined, `${f.key}: ${r.reason}`).toBe(0);
      if (r.format) formats.add(r.format);
    }
    expect([...formats].sort()).toEqual([
      'agent-states-csv',
      'asterisk-queue-log',
      'canonical-csv',
      'center-config',
      'connect-ctr',
      'qa-csv',
      'roster-csv',
      'survey-csv',
    ]);
  });

  it('is the same for the same seed', () => {
    const a = generateDemo({ lastDay: '2026-11-22', days: 2, dailyVolume: 50 });
    const b = generateDemo({ lastDay: '2026-11-22', days: 2, dailyVolume: 50 });
    expect(a.map((f) => f.key)).toEqual(b.map((f) => f.key));
    expect(a.map((f) => String(f.body))).toEqual(b.map((f) => String(f.body)));
  });
});
