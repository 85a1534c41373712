/**
 * Every endpoint of interfaces.md §4 against the local pipeline with real data: values a user
 * would see, pagination walked to the end in JSON and CSV, CSV content negotiation, methods and
 * unknown centres. Every response is also checked against the OpenAPI document (api-client.ts).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiException } from '../../functions/domain/exceptions/model.js';
import { METRICS, metricsAtScope } from '../../functions/domain/kpi/catalog.js';
import { type ApiClient, CENTER, CONFIG, DAYS, OTHER_CENTER, startApiPipeline } from './api-client.js';

interface KpiItem {
  scope: string;
  id: string;
  metrics: Record<string, number | null>;
}
interface KpiDay {
  date: string;
  complete: boolean;
  version: number;
  computed_at: string | null;
  items: KpiItem[];
  next: string | null;
}
interface KpiRange {
  days: Array<Omit<KpiDay, 'next'>>;
  next: string | null;
}
interface Page<T> {
  items: T[];
  next: string | null;
}

let api: ApiClient;
beforeAll(async () => {
  api = await startApiPipeline();
});
afterAll(async () => {
  await api?.cleanup();
});

/** Rows of a CSV page without the header, and the `next` of its Link header. */
function csvPage(text: string, link: string | null): { header: string; rows: string[]; next: string | null } {
  const [header = '', ...rows] = text.split('\r\n').filter((l) => l !== '');
  const next = link?.match(/[?&]next=([^&>]+)/)?.[1];
  return { header, rows, next: next ? decodeURIComponent(next) : null };
}

describe('GET /v1/centers', () => {
  it('lists the centres with data, their time zone and latest complete day, not the unrouted objects', async () => {
    const r =
      await api.get<Page<{ center: string; timezone: string; latest_complete_day: string | null }>>(
        '/v1/centers',
      );
    expect(r.status).toBe(200);
    expect(
      r.body.items.map(({ center, timezone, latest_complete_day }) => ({
        center,
        timezone,
        latest_complete_day,
      })),
    ).toEqual([
      { center: CENTER, timezone: 'UTC', latest_complete_day: DAYS[1] },
      { center: OTHER_CENTER, timezone: 'Asia/Shanghai', latest_complete_day: DAYS[0] },
    ]);
    expect(r.body.next).toBeNull();
  });

  it('pages one centre at a time with limit=1', async () => {
    const pages = await api.pages<Page<{ center: string }>>('/v1/centers?limit=1');
    expect(pages.map((p) => p.items.map((i) => i.center))).toEqual([[CENTER], [OTHER_CENTER]]);
  });

  it('answers text/csv with the same rows', async () => {
    const r = await api.get('/v1/centers', { accept: 'text/csv' });
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const { header, rows } = csvPage(r.text, null);
    expect(header).toBe('center,timezone,latest_complete_day,last_ingest_at');
    expect(rows.map((row) => row.split(',').slice(0, 3).join(','))).toEqual([
      `${CENTER},UTC,${DAYS[1]}`,
      `${OTHER_CENTER},Asia/Shanghai,${DAYS[0]}`,
    ]);
  });
});

describe('GET /v1/centers/{center}/kpis', () => {
  it("returns a day's team records with unrounded values", async () => {
    const r = await api.get<KpiDay>(`/v1/centers/${CENTER}/kpis?date=${DAYS[1]}&scope=team`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ date: DAYS[1], complete: true, version: 1, next: null });
    const aht = Object.fromEntries(r.body.items.map((i) => [i.id, i.metrics.aht_seconds]));
    // A: 100 talk + 20 wrap-up; B: 100 talk + 300 wrap-up.
    expect(aht).toEqual({ A: 120, B: 400 });
    expect(r.body.items.every((i) => i.scope === 'team')).toBe(true);
  });

  it('selects one record with scope and id, and only the metrics asked for', async () => {
    const r = await api.get<KpiDay>(
      `/v1/centers/${CENTER}/kpis?date=${DAYS[1]}&scope=center&id=${CENTER}&metric=aht_seconds,offered,answer_rate`,
    );
    expect(r.body.items).toEqual([
      {
        scope: 'center',
        id: CENTER,
        // (80 × 120 + 40 × 400) / 120; 126 offered, 120 answered.
        metrics: { aht_seconds: 640 / 3, offered: 126, answer_rate: 120 / 126 },
      },
    ]);
  });

  it('answers a day without data with no records, version 0 and computed_at null', async () => {
    const r = await api.get<KpiDay>(`/v1/centers/${CENTER}/kpis?date=2026-10-01`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ items: [], version: 0, computed_at: null, complete: true, next: null });
  });

  it('returns a range per day, for trends', async () => {
    const r = await api.get<KpiRange>(
      `/v1/centers/${CENTER}/kpis?from=2026-10-01&to=2026-11-30&scope=center&metric=aht_seconds`,
    );
    expect(r.status).toBe(200);
    expect(r.body.days.map((d) => [d.date, d.items[0]?.metrics.aht_seconds])).toEqual([
      [DAYS[0], 120],
      [DAYS[1], 640 / 3],
    ]);
    expect(r.body.next).toBeNull();
  });

  it('counts limit in records: a day cut at a page end continues on the next page', async () => {
    const all = await api.get<KpiRange>(
      `/v1/centers/${CENTER}/kpis?from=${DAYS[0]}&to=${DAYS[1]}&scope=team`,
    );
    const pages = await api.pages<KpiRange>(
      `/v1/centers/${CENTER}/kpis?from=${DAYS[0]}&to=${DAYS[1]}&scope=team&limit=1`,
    );
    expect(pages).toHaveLength(4);
    expect(pages.map((p) => p.days.map((d) => `${d.date}/${d.items.map((i) => i.id).join('')}`))).toEqual([
      [`${DAYS[0]}/A`],
      [`${DAYS[0]}/B`],
      [`${DAYS[1]}/A`],
      [`${DAYS[1]}/B`],
    ]);
    const flat = (days: KpiRange['days']) =>
      days.flatMap((d) => d.items.map((i) => ({ date: d.date, ...i })));
    expect(pages.flatMap((p) => flat(p.days))).toEqual(flat(all.body.days));
  });

  it('pages the records of one day', async () => {
    const pages = await api.pages<KpiDay>(`/v1/centers/${CENTER}/kpis?date=${DAYS[0]}&scope=agent&limit=4`);
    // Five agents took calls (B2 is on the roster only).
    expect(pages.map((p) => p.items.map((i) => i.id))).toEqual([['A0', 'A1', 'A2', 'B0'], ['B1']]);
  });

  it('returns CSV for Accept: text/csv and format=csv, one column per metric of the scope', async () => {
    const path = `/v1/centers/${CENTER}/kpis?from=${DAYS[0]}&to=${DAYS[1]}&scope=team`;
    const byAccept = await api.get(path, { accept: 'text/csv' });
    const byFormat = await api.get(`${path}&format=csv`);
    expect(byAccept.text).toBe(byFormat.text);
    const { header, rows } = csvPage(byFormat.text, byFormat.headers.get('link'));
    expect(header).toBe(
      ['date', 'complete', 'scope', 'id', ...metricsAtScope('team').map((m) => m.name)].join(','),
    );
    expect(rows.map((row) => row.split(',').slice(0, 4).join(','))).toEqual([
      `${DAYS[0]},true,team,A`,
      `${DAYS[0]},true,team,B`,
      `${DAYS[1]},true,team,A`,
      `${DAYS[1]},true,team,B`,
    ]);
    const json = await api.get(path, { accept: 'text/csv' });
    expect(json.headers.get('link')).toBeNull();
  });

  it('pages CSV through the Link header, whose query gives the next rows', async () => {
    const base = `/v1/centers/${CENTER}/kpis?from=${DAYS[0]}&to=${DAYS[1]}&scope=center&format=csv&metric=aht_seconds&limit=1`;
    const first = await api.get(base);
    const link = first.headers.get('link') ?? '';
    expect(link).toMatch(/^<\?[^>]*next=[^>]+>; rel="next"$/);
    const second = await api.get(`/v1/centers/${CENTER}/kpis${link.slice(1, link.indexOf('>'))}`);
    expect(second.headers.get('link')).toBeNull();
    expect([first, second].map((r) => csvPage(r.text, null).rows)).toEqual([
      [`${DAYS[0]},true,center,${CENTER},120`],
      [`${DAYS[1]},true,center,${CENTER},213.33333333333334`],
    ]);
    expect(csvPage(first.text, null).header).toBe('date,complete,scope,id,aht_seconds');
  });
});

describe('GET /v1/centers/{center}/exceptions', () => {
  it("reads one day's exceptions with the evaluation they come from", async () => {
    const r = await api.get<Page<KpiException> & { evaluation: { kpi_version: number } | null }>(
      `/v1/centers/${CENTER}/exceptions?date=${DAYS[1]}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.evaluation?.kpi_version).toBe(1);
    const aht = r.body.items.find((e) => e.metric === 'aht_seconds' && e.scope === 'center');
    expect(aht).toMatchObject({ actual: 640 / 3, bound: 180, verdict: 'concentrated', state: 'new' });
    // Billing's override (60–240) holds billing's 400 s to 240, so billing breaches too; sales does not.
    const queues = r.body.items
      .filter((e) => e.metric === 'aht_seconds' && e.scope === 'queue')
      .map((e) => e.id);
    expect(queues).toEqual(['billing']);
  });

  it('filters before paginating: limit=1 pages hold one matching exception each', async () => {
    const path = `/v1/centers/${CENTER}/exceptions?from=${DAYS[0]}&to=${DAYS[1]}&scope=team`;
    const all = (await api.get<Page<KpiException>>(path)).body.items;
    expect(all.length).toBeGreaterThan(1);
    expect(all.every((e) => e.scope === 'team')).toBe(true);
    const pages = await api.pages<Page<KpiException>>(`${path}&limit=1`);
    const paged = pages.flatMap((p) => p.items);
    expect(paged.map((e) => `${e.date}/${e.id}/${e.metric}`)).toEqual(
      all.map((e) => `${e.date}/${e.id}/${e.metric}`),
    );
    expect(pages.slice(0, -1).every((p) => p.items.length === 1)).toBe(true);
  });

  it('keeps its place through the filters when the limit changes from page to page', async () => {
    const path = `/v1/centers/${CENTER}/exceptions?from=${DAYS[0]}&to=${DAYS[1]}&scope=queue`;
    const all = (await api.get<Page<KpiException>>(path)).body.items.map(
      (e) => `${e.date}/${e.id}/${e.metric}`,
    );
    expect(all.length).toBeGreaterThan(3);
    const seen: string[] = [];
    let next: string | null = null;
    for (let n = 0; n === 0 || next !== null; n++) {
      const limit = [2, 1, 3][n % 3];
      const page: { body: Page<KpiException> } = await api.get<Page<KpiException>>(
        `${path}&limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      );
      seen.push(...page.body.items.map((e) => `${e.date}/${e.id}/${e.metric}`));
      next = page.body.next;
    }
    expect(seen).toEqual(all);
  });

  it('returns the same rows as CSV', async () => {
    const r = await api.get(
      `/v1/centers/${CENTER}/exceptions?date=${DAYS[1]}&scope=center&metric=aht_seconds`,
      {
        accept: 'text/csv',
      },
    );
    const { header, rows } = csvPage(r.text, r.headers.get('link'));
    expect(header).toBe(
      'date,metric,scope,id,actual,bound,severity,state,streak,volume,verdict,suspect_data,summary',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${DAYS[1]},aht_seconds,center,${CENTER},213\\.33333333333334,180,`));
  });
});

describe('GET /v1/centers/{center}/files', () => {
  it('lists the ledger newest first and pages it to the end', async () => {
    const all = await api.get<Page<{ key: string; rows_read: number; rows_accepted: number }>>(
      `/v1/centers/${CENTER}/files`,
    );
    expect(all.body.items.map((i) => i.key)).toEqual([
      `cdr/${CENTER}/${DAYS[1]}.csv`,
      `cdr/${CENTER}/${DAYS[0]}.csv`,
      `roster/${CENTER}/roster.csv`,
      `config/centers/${CENTER}.json`,
    ]);
    expect(all.body.items[0]).toMatchObject({ rows_read: 126, rows_accepted: 126 });
    const pages = await api.pages<Page<{ key: string }>>(`/v1/centers/${CENTER}/files?limit=3`);
    expect(pages.flatMap((p) => p.items.map((i) => i.key))).toEqual(all.body.items.map((i) => i.key));
  });

  it('lists the objects touching one centre-day', async () => {
    const r = await api.get<Page<{ key: string }>>(`/v1/centers/${CENTER}/files?date=${DAYS[0]}`);
    expect(r.body.items.map((i) => i.key)).toEqual([`cdr/${CENTER}/${DAYS[0]}.csv`]);
  });

  it('shows objects whose key names no centre under _unrouted', async () => {
    const r = await api.get<Page<{ key: string; status: string; reason: string }>>(
      '/v1/centers/_unrouted/files',
    );
    expect(r.body.items).toEqual([
      expect.objectContaining({
        key: 'misc/stray.csv',
        status: 'rejected',
        reason: expect.stringContaining('unknown prefix'),
      }),
    ]);
  });

  it('returns the ledger as CSV', async () => {
    const r = await api.get(`/v1/centers/${CENTER}/files?format=csv&limit=1`);
    const { header, rows, next } = csvPage(r.text, r.headers.get('link'));
    expect(header.split(',').slice(0, 6)).toEqual(['key', 'version', 'kind', 'format', 'encoding', 'status']);
    expect(rows).toHaveLength(1);
    expect(next).not.toBeNull();
  });
});

describe('GET /v1/centers/{center}/config', () => {
  it('serves the configuration and the targets in force, overrides included', async () => {
    const r = await api.get<{
      source_key: string;
      config: { timezone: string };
      targets: { center: Record<string, unknown>; overrides: unknown[] };
    }>(`/v1/centers/${CENTER}/config`);
    expect(r.body.source_key).toBe(`config/centers/${CENTER}.json`);
    expect(r.body.config.timezone).toBe('UTC');
    expect(r.body.targets.center.aht_seconds).toEqual({ between: [60, 180] });
    expect(r.body.targets.overrides).toEqual(CONFIG.overrides);
  });
});

describe('GET /v1/definitions and the configuration schema', () => {
  it('serves the metric catalog as JSON and CSV', async () => {
    const json = await api.get<{ items: Array<{ name: string }> }>('/v1/definitions');
    expect(json.body.items.map((m) => m.name)).toEqual(METRICS.map((m) => m.name));
    const csv = await api.get('/v1/definitions?format=csv');
    expect(csvPage(csv.text, null).rows).toHaveLength(METRICS.length);
  });

  it('publishes a JSON Schema that accepts a valid configuration and refuses a bad one', async () => {
    const r = await api.get<object>('/v1/schemas/center-config.json');
    const ajv = new Ajv2020({ strict: false });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(r.body);
    expect(validate(CONFIG)).toBe(true);
    expect(validate({ ...CONFIG, preset: 'lenient' })).toBe(false);
  });
});

describe('methods, unknown paths and unknown centres', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'answers %s with 405 and the methods allowed',
    async (method) => {
      const r = await api.request<{ error: { code: string; message: string } }>(
        `/v1/centers/${CENTER}/kpis`,
        {
          method,
        },
      );
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(r.body.error).toEqual({
        code: 'method_not_allowed',
        message: expect.stringContaining('read-only'),
      });
    },
  );

  it('answers HEAD like GET without a body, and OPTIONS with the methods allowed', async () => {
    const head = await api.request(`/v1/centers/${CENTER}/kpis?date=${DAYS[0]}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const options = await api.request('/v1/centers', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    `/v1/centers/nowhere/kpis?date=${DAYS[0]}`,
    `/v1/centers/nowhere/exceptions?date=${DAYS[0]}`,
    '/v1/centers/nowhere/files',
    '/v1/centers/nowhere/config',
    `/v1/centers/_unrouted/kpis?date=${DAYS[0]}`,
  ])('answers %s with 404 unknown centre', async (path) => {
    const r = await api.get<{ error: { code: string; message: string } }>(path);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('unknown_center');
    expect(r.body.error.message).toMatch(/unknown centre/);
  });

  it('answers an unknown path with 404 in the same error shape', async () => {
    const r = await api.get<{ error: { code: string } }>('/v2/centers');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
