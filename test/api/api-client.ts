/**
 * The API tests' pipeline and client: the whole local pipeline with a small centre loaded and
 * evaluated, and a client that checks EVERY response it receives against the OpenAPI document
 * the API serves, so each test that calls the API also tests the document.
 */
import { expect } from 'vitest';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { type Conformance, conformance, type OpenApiDocument } from './openapi-conformance.js';

/** A centre in UTC with two teams, two queues and a roster; team B is slow on the second day. */
export const CENTER = 'north';
/** A second centre with one quiet day, so the centre list has more than one page at limit=1. */
export const OTHER_CENTER = 'south';
export const DAYS = ['2026-11-02', '2026-11-03'] as const;

const HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,hold_seconds,acw_seconds,outcome';

/** 120 answered calls (80 team A, 40 team B) and 6 abandoned ones; B's wrap-up is 300 s when `slowB`. */
export function dayCsv(date: string, slowB: boolean): string {
  const rows = [HEADER];
  for (let i = 0; i < 120; i++) {
    const team = i % 3 === 0 ? 'B' : 'A';
    const agent = `${team}${(i % 6) >> 1}`;
    const minute = String(i % 60).padStart(2, '0');
    const hour = String(9 + Math.floor(i / 60)).padStart(2, '0');
    const acw = team === 'B' && slowB ? 300 : 20;
    // Every tenth caller calls again an hour later: repeat contacts for FCR.
    const caller = `+1555${String(i % 100).padStart(7, '0')}`;
    rows.push(
      `${date}-${i},inbound,${i % 3 === 0 ? 'billing' : 'sales'},${agent},${caller},${date}T${hour}:${minute}:00Z,5,100,0,${acw},answered`,
    );
  }
  for (let i = 0; i < 6; i++)
    rows.push(`${date}-ab${i},inbound,sales,,+1666000000${i},${date}T11:0${i}:00Z,45,0,0,0,abandoned`);
  return `${rows.join('\n')}\n`;
}

export const ROSTER = ['agent_id,team', 'A0,A', 'A1,A', 'A2,A', 'B0,B', 'B1,B', 'B2,B'].join('\n');
export const CONFIG = {
  timezone: 'UTC',
  preset: 'recommended',
  parameters: { report_settle_seconds: 0 },
  targets: { aht_seconds: { between: [60, 180] } },
  overrides: [{ scope: 'queue', id: 'billing', targets: { aht_seconds: { between: [60, 240] } } }],
};

export interface ApiResponse<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiClient {
  pipeline: TestPipeline;
  doc: OpenApiDocument;
  conformance: Conformance;
  /** A GET (or another method) checked against the document; JSON bodies parsed. */
  request<T = unknown>(
    path: string,
    init?: { method?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** Every page of a listing, following `next` (JSON) from `path`. */
  pages<T extends { next: string | null }>(path: string): Promise<T[]>;
  cleanup(): Promise<void>;
}

/** Starts the pipeline, loads both centres (and an object under an unknown prefix) and evaluates. */
export async function startApiPipeline(): Promise<ApiClient> {
  const pipeline = await startTestPipeline();
  await pipeline.put(`config/centers/${CENTER}.json`, JSON.stringify(CONFIG));
  await pipeline.put(`roster/${CENTER}/roster.csv`, ROSTER);
  for (const d of DAYS) await pipeline.put(`cdr/${CENTER}/${d}.csv`, dayCsv(d, d === DAYS[1]));
  await pipeline.put(`config/centers/${OTHER_CENTER}.json`, JSON.stringify({ timezone: 'Asia/Shanghai' }));
  await pipeline.put(
    `cdr/${OTHER_CENTER}/${DAYS[0]}.csv`,
    `${HEADER}\nq1,inbound,sales,S1,+861380000000,${DAYS[0]}T01:00:00Z,3,60,0,10,answered\n`,
  );
  await pipeline.put('misc/stray.csv', 'a,b\n1,2\n');
  await pipeline.idle();
  await pipeline.evaluate();

  const raw = await fetch(`${pipeline.apiUrl}/openapi.json`);
  const doc = (await raw.json()) as OpenApiDocument;
  const check = conformance(doc);

  async function request<T>(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
    const method = init.method ?? 'GET';
    const r = await fetch(`${pipeline.apiUrl}${path}`, { method, headers: init.headers });
    const text = await r.text();
    const contentType = r.headers.get('content-type');
    const body = text !== '' && contentType?.startsWith('application/json') ? JSON.parse(text) : text;
    expect(() => check.check(method, path, r.status, contentType, body)).not.toThrow();
    return { status: r.status, body: body as T, text, headers: r.headers };
  }

  return {
    pipeline,
    doc,
    conformance: check,
    request,
    get: (path, headers) => request(path, { headers }),
    async pages<T extends { next: string | null }>(path: string) {
      const out: T[] = [];
      let next: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const r: ApiResponse<T> = await request<T>(
          next === null ? path : `${path}${sep}next=${encodeURIComponent(next)}`,
        );
        expect(r.status, r.text).toBe(200);
        out.push(r.body);
        next = r.body.next;
      } while (next !== null && out.length < 1000);
      return out;
    },
    cleanup: () => pipeline.cleanup(),
  };
}
