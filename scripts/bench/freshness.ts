/**
 * Freshness part of `npm run bench` (architecture.md "Performance targets": seconds from an
 * object landing in the local bucket to its KPIs being readable through the API). The local
 * pipeline runs in a process of its own (scripts/bench/pipeline-server.ts) with the local
 * defaults of `npm start` (rollup after a 500 ms quiet period; evaluation off, it reads no KPI
 * a freshness poll waits for). Each run is a new centre (its config put and settled first, untimed)
 * and a new small canonical CSV of one day (ingest-data.ts, another seed): the clock starts
 * when the PutObject call completes, and this process polls
 * `GET /v1/centers/{c}/kpis?date=…&scope=center` every 50 ms until the day's offered count is
 * there. The breakdown comes from the ledger (`processed_at`, the ingest done) and the KPI day
 * (`computed_at`, the rollup computed, before its write).
 *
 * Next to it, DuckDB (threads=1) reading the same file with read_csv and computing the centre
 * totals (validated, deduplicated by contact id): its "freshness" if it were the store.
 *
 * Options: BENCH_FRESH_RUNS (default 5), BENCH_FRESH_ROWS (default 1000), BENCH_ROLLUP_QUIET_MS
 * (default 500, the local default).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { fmt, machine } from './common.js';
import { BENCH_DAY, BENCH_TZ, writeBenchCsv } from './ingest-data.js';
import { forkPipeline, percentile, sleep } from './pipeline.js';

const RUNS = Number(process.env.BENCH_FRESH_RUNS ?? 5);
const ROWS = Number(process.env.BENCH_FRESH_ROWS ?? 1000);
const QUIET_MS = Number(process.env.BENCH_ROLLUP_QUIET_MS ?? 500);
const POLL_MS = 50;
const GIVE_UP_MS = 60_000;

const VALID_OUTCOMES = `('answered', 'abandoned', 'connected', 'no_answer', 'busy', 'failed')`;

/** The centre totals our rollup computes (kpis.md: offered minus short abandons < 5 s, SL 20 s). */
function centreSql(file: string): string {
  return `
WITH valid AS (
  SELECT * FROM read_csv('${file}', header = true)
  WHERE contact_id IS NOT NULL AND initiated_at IS NOT NULL AND outcome IN ${VALID_OUTCOMES}
    AND queue_seconds >= 0 AND ring_seconds >= 0 AND talk_seconds >= 0 AND hold_seconds >= 0 AND acw_seconds >= 0
  QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY last_updated_at DESC) = 1)
SELECT
  count(*) FILTER (WHERE direction = 'inbound' AND NOT (outcome = 'abandoned' AND queue_seconds < 5)) AS offered,
  count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'answered') AS answered,
  count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'answered' AND queue_seconds <= 20) AS sl_met,
  count(*) FILTER (WHERE direction IN ('inbound', 'transfer') AND outcome = 'answered') AS handled,
  sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE direction IN ('inbound', 'transfer') AND outcome = 'answered') AS handle_seconds
FROM valid`;
}

interface Run {
  center: string;
  file: string;
  bytes: number;
  rows: number;
  putMs: number;
  /** Seconds from the PutObject call's completion. */
  ingested: number;
  computed: number;
  readable: number;
  polls: number;
  /** KPI records of the day (every scope), as written by the rollup. */
  records: number;
  ours: { offered: number; answered: number; handled: number };
  duck?: { seconds: number; offered: number; answered: number; handled: number };
}

interface FileEntry {
  key: string;
  status: string;
  rows_read: number;
  received_at: string;
  processed_at: string | null;
}

interface KpiDay {
  computed_at: string | null;
  items: Array<{ metrics: Record<string, number | null> }>;
}

function stats(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] as number, median: percentile(s, 0.5), max: s[s.length - 1] as number };
}

export async function freshnessBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpi-bench-fresh-'));
  try {
    console.log(`\n${machine()}, load average ${loadavg()[0]?.toFixed(2)}`);
    const p = await forkPipeline(join(dir, 'pipeline'), QUIET_MS);
    const runs: Run[] = [];
    let peakRssMb: number;
    try {
      for (let i = 0; i < RUNS; i++) {
        const center = `fresh${i + 1}`;
        const file = join(dir, `${center}.csv`);
        await writeBenchCsv(file, ROWS, 1000 + i);
        const body = await readFile(file);
        await p.put(
          `config/centers/${center}.json`,
          JSON.stringify({ timezone: BENCH_TZ, parameters: { default_country_code: '86' } }),
        );
        await p.idle();

        const key = `cdr/${center}/${BENCH_DAY}.csv`;
        const path = `/v1/centers/${center}/kpis?date=${BENCH_DAY}&scope=center`;
        const tPut = performance.now();
        await p.put(key, body);
        const t0 = performance.now();
        const wall0 = Date.now();
        let polls = 0;
        let day: KpiDay | undefined;
        for (;;) {
          polls++;
          const r = await p.get(path);
          if (r.status === 200) {
            const d = JSON.parse(r.text) as KpiDay;
            if (typeof d.items[0]?.metrics.offered === 'number') {
              day = d;
              break;
            }
          }
          if (performance.now() - t0 > GIVE_UP_MS) throw new Error(`${key}: no KPIs after ${GIVE_UP_MS} ms`);
          await sleep(POLL_MS);
        }
        const readable = (performance.now() - t0) / 1000;
        const files = JSON.parse((await p.get(`/v1/centers/${center}/files?limit=10`)).text) as {
          items: FileEntry[];
        };
        const entry = files.items.find((e) => e.key === key);
        const since = (iso: string | null | undefined) =>
          iso ? (Date.parse(iso) - wall0) / 1000 : Number.NaN;
        const all = JSON.parse(
          (await p.get(`/v1/centers/${center}/kpis?date=${BENCH_DAY}&limit=1000`)).text,
        ) as KpiDay;
        const m = day.items[0]?.metrics ?? {};
        runs.push({
          center,
          file,
          bytes: body.length,
          rows: entry?.rows_read ?? 0,
          putMs: t0 - tPut,
          ingested: since(entry?.processed_at),
          computed: since(day.computed_at),
          readable,
          polls,
          records: all.items.length,
          ours: { offered: m.offered ?? 0, answered: m.answered ?? 0, handled: m.handled ?? 0 },
        });
        await p.idle();
      }
    } finally {
      peakRssMb = (await p.stop()).peakRssMb;
    }

    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const con = await db.connect();
    for (const run of runs) {
      const t = performance.now();
      const row = (await con.runAndReadAll(centreSql(run.file))).getRowObjectsJS()[0] ?? {};
      run.duck = {
        seconds: (performance.now() - t) / 1000,
        offered: Number(row.offered),
        answered: Number(row.answered),
        handled: Number(row.handled),
      };
    }
    con.closeSync();

    const ours = stats(runs.map((r) => r.readable));
    const duck = stats(runs.map((r) => r.duck?.seconds ?? Number.NaN));
    const ing = stats(runs.map((r) => r.ingested));
    const comp = stats(runs.map((r) => r.computed));
    const put = stats(runs.map((r) => r.putMs));
    const written = stats(runs.map((r) => r.readable - r.computed));
    const disagree = runs.filter(
      (r) =>
        r.duck?.offered !== r.ours.offered ||
        r.duck?.answered !== r.ours.answered ||
        r.duck?.handled !== r.ours.handled,
    );
    const s3 = (x: { min: number; median: number; max: number }, unit = 's', digits = 3) =>
      `${x.min.toFixed(digits)} / ${x.median.toFixed(digits)} / ${x.max.toFixed(digits)} ${unit}`;
    const first = runs[0];
    console.log(`
Freshness: ${runs.length} runs, each a new centre and a new ${fmt(first?.rows ?? 0)}-row canonical CSV of one day (${fmt((first?.bytes ?? 0) / 1024, 0)} KiB)
  ours: PutObject done → KPIs readable (poll every ${POLL_MS} ms: GET …/kpis?date=…&scope=center until offered is there)
    readable, min / median / max                  ${s3(ours)}   (per run: ${runs.map((r) => r.readable.toFixed(3)).join(', ')})
    of which: ingest done (ledger processed_at)   ${s3(ing)}
              rollup computed (KPI computed_at)   ${s3(comp)}   (after a ${QUIET_MS} ms quiet period, the local default)
              computed → readable                 ${s3(written)}   (writing ${runs.map((r) => fmt(r.records)).join(', ')} KPI records to the emulator; the poll)
    the PutObject call itself                     ${s3(put, 'ms', 1)}
    polls per run                                 ${runs.map((r) => r.polls).join(', ')}
    peak RSS (pipeline process)                   ${peakRssMb.toFixed(0)} MB
  DuckDB (threads=1, in this process): read_csv of the same file + centre totals (validated, deduplicated)
    min / median / max                            ${s3(duck)}
  ratio of medians ours / DuckDB                  ${(ours.median / duck.median).toFixed(0)}×
  ratio without the ${QUIET_MS} ms quiet period            ${((ours.median - QUIET_MS / 1000) / duck.median).toFixed(0)}×
  cross-check offered/answered/handled            ${
    disagree.length === 0
      ? `equal (${runs.map((r) => `${r.ours.offered}/${r.ours.answered}/${r.ours.handled}`).join(', ')})`
      : `DIFFERENT: ${disagree.map((r) => `${r.center} ours ${r.ours.offered}/${r.ours.answered}/${r.ours.handled}, DuckDB ${r.duck?.offered}/${r.duck?.answered}/${r.duck?.handled}`).join('; ')}`
  }
load average at the end ${loadavg()[0]?.toFixed(2)}`);
    if (disagree.length > 0) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
