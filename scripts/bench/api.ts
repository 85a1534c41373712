/**
 * API part of `npm run bench` (architecture.md "Performance targets": p50/p99 of a day's KPI
 * query at agent scope, 1,000 agents, against the local DynamoDB endpoint). The local pipeline
 * runs in a process of its own (scripts/bench/pipeline-server.ts) on random ports; one generated
 * centre-day (ingest-data.ts: 1,000 agents, 12 queues and an outbound campaign) goes in through
 * its S3 endpoint and is ingested and rolled up by the real handlers; then this process issues
 * sequential `GET /v1/centers/bench/kpis?date=…&scope=agent&limit=1000` requests over HTTP.
 *
 * Next to it, DuckDB (threads=1, in this process) answers the equivalent query: the day's KPI
 * records, read back through the API, in a table (one column per metric), and a prepared
 * `SELECT * FROM kpis WHERE date = ? AND scope = 'agent'` run as many times.
 *
 * Options: BENCH_API_CONTACTS (default 75000), BENCH_API_REQUESTS (default 300, after 30 warm-up).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { fmt, machine } from './common.js';
import { BENCH_CENTER, BENCH_DAY, BENCH_TZ, writeBenchCsv } from './ingest-data.js';
import { forkPipeline, percentile } from './pipeline.js';

const CONTACTS = Number(process.env.BENCH_API_CONTACTS ?? 75_000);
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 300);
const WARMUP = 30;

interface KpiItem {
  scope: string;
  id: string;
  metrics: Record<string, number | null>;
}
interface KpiDay {
  computed_at: string | null;
  items: KpiItem[];
  next: string | null;
}
interface FileEntry {
  key: string;
  status: string;
  rows_read: number;
  rows_accepted: number;
}

/** p50 / p95 / p99 / max of milliseconds, as printed. */
function spread(ms: number[]): { p50: number; line: string } {
  const s = [...ms].sort((a, b) => a - b);
  const [p50, p95, p99] = [0.5, 0.95, 0.99].map((p) => percentile(s, p)) as [number, number, number];
  const f = (x: number) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
  return { p50, line: `${f(p50)} / ${f(p95)} / ${f(p99)} / ${f(s[s.length - 1] as number)} ms` };
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export async function apiBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpi-bench-api-'));
  try {
    console.log(
      `\n${machine()}, load average ${loadavg()[0]?.toFixed(2)}\nGenerating a ${fmt(CONTACTS)}-contact centre-day (1,000 agents) in ${dir} …`,
    );
    const csv = join(dir, 'contacts.csv');
    await writeBenchCsv(csv, CONTACTS);
    const kpisFile = join(dir, 'kpis.ndjson');

    const p = await forkPipeline(join(dir, 'pipeline'), 50);
    let ours: number[];
    let bytes: number;
    let agentItems: number;
    let loadSeconds: number;
    let entry: FileEntry | undefined;
    let serverCpuMs: number;
    let rssAfterQueriesMb: number;
    let dayItems: number;
    let pipelinePeakMb: number;
    try {
      await p.put(
        `config/centers/${BENCH_CENTER}.json`,
        JSON.stringify({ timezone: BENCH_TZ, parameters: { default_country_code: '86' } }),
      );
      await p.idle();
      const key = `cdr/${BENCH_CENTER}/${BENCH_DAY}.csv`;
      const t0 = performance.now();
      await p.put(key, await readFile(csv));
      await p.idle();
      loadSeconds = (performance.now() - t0) / 1000;
      const files = JSON.parse((await p.get(`/v1/centers/${BENCH_CENTER}/files?limit=10`)).text) as {
        items: FileEntry[];
      };
      entry = files.items.find((i) => i.key === key && i.status === 'processed');

      const path = `/v1/centers/${BENCH_CENTER}/kpis?date=${BENCH_DAY}&scope=agent&limit=1000`;
      const first = await p.get(path);
      if (first.status !== 200) throw new Error(`GET ${path}: ${first.status} ${first.text.slice(0, 200)}`);
      const day = JSON.parse(first.text) as KpiDay;
      agentItems = day.items.length;
      bytes = first.bytes;
      if (day.next !== null) throw new Error('the agent page has a next page: more than 1,000 agents');
      const get = async () => {
        const r = await p.get(path);
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
      };
      await timed(WARMUP, get);
      const u0 = await p.usage();
      ours = await timed(REQUESTS, get);
      const u1 = await p.usage();
      serverCpuMs = ((u1.cpuSeconds - u0.cpuSeconds) / REQUESTS) * 1000;
      rssAfterQueriesMb = u1.rssMb;

      // Every KPI record of the day, read back through the API, for DuckDB's table.
      const all: KpiItem[] = [];
      let next: string | null = null;
      do {
        const r = await p.get(
          `/v1/centers/${BENCH_CENTER}/kpis?date=${BENCH_DAY}&limit=1000${next ? `&next=${encodeURIComponent(next)}` : ''}`,
        );
        const page = JSON.parse(r.text) as KpiDay;
        all.push(...page.items);
        next = page.next;
      } while (next);
      dayItems = all.length;
      await writeFile(kpisFile, all.map((i) => JSON.stringify({ date: BENCH_DAY, ...i })).join('\n'));
    } finally {
      pipelinePeakMb = (await p.stop()).peakRssMb;
    }

    const rss0 = process.memoryUsage.rss();
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const con = await db.connect();
    await con.run(
      `CREATE TABLE kpis AS SELECT CAST(date AS DATE) AS date, scope, id, unnest(metrics)
       FROM read_json('${kpisFile}', format = 'newline_delimited')`,
    );
    const columns = (await con.runAndReadAll('SELECT * FROM kpis LIMIT 0')).columnCount;
    const stmt = await con.prepare(`SELECT * FROM kpis WHERE date = $1 AND scope = 'agent'`);
    stmt.bindVarchar(1, BENCH_DAY);
    let duckRows = 0;
    const select = async () => {
      duckRows = (await stmt.runAndReadAll()).currentRowCount;
    };
    const selectJs = async () => {
      duckRows = (await stmt.runAndReadAll()).getRowObjectsJS().length;
    };
    await timed(WARMUP, selectJs);
    const duck = await timed(REQUESTS, select);
    const duckJs = await timed(REQUESTS, selectJs);
    const duckRssMb = (process.memoryUsage.rss() - rss0) / 2 ** 20;
    con.closeSync();

    const o = spread(ours);
    const d = spread(duck);
    const dj = spread(duckJs);
    const agree = duckRows === agentItems && agentItems === 1000;
    console.log(`
API: one day's KPIs at agent scope, ${fmt(REQUESTS)} sequential requests after ${WARMUP} warm-up
  loaded: ${entry ? `${fmt(entry.rows_read)} rows read, ${fmt(entry.rows_accepted)} accepted` : 'NO LEDGER ENTRY'}; put → ingested and rolled up in ${loadSeconds.toFixed(2)} s; ${fmt(dayItems)} KPI records in the day
  ours: HTTP GET from this process → hono → DynamoDB emulator (dynalite, in-memory) query → JSON, in the pipeline process
    p50 / p95 / p99 / max                     ${o.line}
    response                                  ${fmt(agentItems)} agent records, ${fmt(bytes / 1024, 0)} KiB JSON
    pipeline process CPU per request          ${serverCpuMs.toFixed(1)} ms
    pipeline process RSS after the requests   ${rssAfterQueriesMb.toFixed(0)} MB
    peak RSS (pipeline process, incl. load)   ${pipelinePeakMb.toFixed(0)} MB
  DuckDB (threads=1, in this process, no HTTP, no JSON): prepared SELECT * FROM kpis WHERE date = ? AND scope = 'agent'
    over a ${fmt(dayItems)}-row table (every scope of the day, ${columns} columns); in-process columnar select
    p50 / p95 / p99 / max, select only        ${d.line}
    p50 / p95 / p99 / max, + rows as JS objs  ${dj.line}
    RSS growth of this process with DuckDB    ${duckRssMb.toFixed(0)} MB
  ratio of p50s ours / DuckDB + JS objects    ${(o.p50 / dj.p50).toFixed(1)}×
  ratio of p50s ours / DuckDB select only     ${(o.p50 / d.p50).toFixed(1)}×
  cross-check agent records ours / DuckDB     ${agree ? `equal (${fmt(agentItems)})` : `DIFFERENT: ours ${agentItems}, DuckDB ${duckRows}`}
load average at the end ${loadavg()[0]?.toFixed(2)}`);
    if (!agree) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
