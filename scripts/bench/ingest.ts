/**
 * Ingest part of `npm run bench` (architecture.md "Performance targets"): a generated
 * 1,000,000-row canonical CSV of one centre-day on disk, ingested through the real domain path
 * (`ingestObject` from a file read stream, curated gzip bodies written to disk; see
 * ingest-measure.ts), each run in a fresh process; next to DuckDB, single-threaded, reading the
 * same file with read_csv and computing the equivalent GROUP BY (local day × queue: counts and
 * duration sums over the valid rows). Then the same contacts as Amazon Connect contact records
 * (gzip NDJSON) against DuckDB's read_json.
 *
 * Options: BENCH_INGEST_ROWS (default 1000000), BENCH_RUNS (default 3), BENCH_CTR=0 to skip the
 * contact-record file, BENCH_DUCK_COPY=0 to skip DuckDB writing the curated records (a slow,
 * informative extra), BENCH_KEEP=1 to keep the generated files (the directory is printed).
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { fmt, machine, runChild, timeIt } from './common.js';
import { writeBenchCsv, writeBenchCtr } from './ingest-data.js';
import type { IngestMeasurement } from './ingest-measure.js';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MEASURE = fileURLToPath(new URL('./ingest-measure.ts', import.meta.url));

const VALID_OUTCOMES = `('answered', 'abandoned', 'connected', 'no_answer', 'busy', 'failed')`;

/** What our ingest does per row, in SQL: validate, place on a local day, group, count and sum. */
function csvSql(file: string, distinct: boolean): string {
  return `
SELECT CAST(initiated_at AS DATE) AS day, queue,
  count(*) AS contacts,${distinct ? '\n  count(DISTINCT contact_id) AS distinct_contacts,' : ''}
  count(*) FILTER (WHERE outcome = 'answered') AS answered,
  count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
  sum(queue_seconds) AS queue_seconds, sum(ring_seconds) AS ring_seconds, sum(talk_seconds) AS talk_seconds,
  sum(hold_seconds) AS hold_seconds, sum(acw_seconds) AS acw_seconds
FROM read_csv('${file}', header = true)
WHERE contact_id IS NOT NULL AND initiated_at IS NOT NULL AND outcome IN ${VALID_OUTCOMES}
  AND queue_seconds >= 0 AND ring_seconds >= 0 AND talk_seconds >= 0 AND hold_seconds >= 0 AND acw_seconds >= 0
GROUP BY ALL`;
}

/**
 * Not the target's yardstick but the same work as ours, for scale: DuckDB turning the file into
 * the curated records (validated, caller hashed — SHA-256, as DuckDB has no HMAC — instants as
 * epoch ms, written as gzip NDJSON at DuckDB's default gzip level).
 */
function csvCopySql(file: string, out: string): string {
  return `
COPY (
  SELECT contact_id, direction, channel, 'bench' AS center, queue, agent_id, sha256(caller) AS caller_token,
    epoch_ms(initiated_at - INTERVAL 8 HOUR) AS initiated_at, queue_seconds, ring_seconds, talk_seconds,
    hold_seconds, acw_seconds, outcome, disposition, epoch_ms(last_updated_at - INTERVAL 8 HOUR) AS last_updated_at
  FROM read_csv('${file}', header = true)
  WHERE contact_id IS NOT NULL AND initiated_at IS NOT NULL AND outcome IN ${VALID_OUTCOMES}
    AND queue_seconds >= 0 AND ring_seconds >= 0 AND talk_seconds >= 0 AND hold_seconds >= 0 AND acw_seconds >= 0
) TO '${out}' (FORMAT json, COMPRESSION gzip)`;
}

/** The same over contact records; Asia/Shanghai has no DST, so the local day is UTC + 8 h. */
function ctrSql(file: string, distinct: boolean): string {
  return `
SELECT CAST(CAST(InitiationTimestamp AS TIMESTAMP) + INTERVAL 8 HOUR AS DATE) AS day, Queue.Name AS queue,
  count(*) AS contacts,${distinct ? '\n  count(DISTINCT ContactId) AS distinct_contacts,' : ''}
  count(*) FILTER (WHERE Agent.ConnectedToAgentTimestamp IS NOT NULL) AS answered,
  sum(Queue.Duration) AS queue_seconds, sum(Agent.AgentInteractionDuration) AS talk_seconds,
  sum(Agent.CustomerHoldDuration) AS hold_seconds, sum(Agent.AfterContactWorkDuration) AS acw_seconds
FROM read_json('${file}', format = 'newline_delimited')
WHERE ContactId IS NOT NULL AND InitiationTimestamp IS NOT NULL AND coalesce(Queue.Duration, 0) >= 0
GROUP BY ALL`;
}

interface Figures {
  label: string;
  file: string;
  bytes: number;
  ours: IngestMeasurement;
  /** Peak RSS over all runs. */
  worstRssMb: number;
  duck: number;
  duckDistinct: number;
  duckRows: number;
  /** DuckDB writing the curated records itself (CSV only), seconds. */
  duckCopy?: number;
}

async function oursBest(file: string, outDir: string, bytes: number): Promise<[IngestMeasurement, number]> {
  let best: IngestMeasurement | undefined;
  let worstRss = 0;
  for (let i = 0; i < RUNS; i++) {
    const m = await runChild<IngestMeasurement>(MEASURE, [file, outDir, String(bytes)]);
    worstRss = Math.max(worstRss, m.peakRssMb);
    if (!best || m.seconds < best.seconds) best = m;
  }
  return [best as IngestMeasurement, worstRss];
}

async function duckBest(sql: (file: string, distinct: boolean) => string, file: string, copySql?: string) {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  const plain = await timeIt(async () => (await con.runAndReadAll(sql(file, false))).getRowObjects(), RUNS);
  const distinct = await timeIt(async () => (await con.runAndReadAll(sql(file, true))).getRowObjects(), RUNS);
  const copy = copySql === undefined ? undefined : (await timeIt(() => con.run(copySql), 1)).best;
  con.closeSync();
  const rows = plain.value.reduce((n, r) => n + Number(r.contacts), 0);
  return { plain: plain.best, distinct: distinct.best, rows, copy };
}

async function measureFile(
  label: string,
  file: string,
  outDir: string,
  sql: (file: string, distinct: boolean) => string,
  copySql?: string,
): Promise<Figures> {
  const { size } = await stat(file);
  const [ours, worstRssMb] = await oursBest(file, outDir, size);
  const duck = await duckBest(sql, file, copySql);
  return {
    label,
    file,
    bytes: size,
    ours,
    worstRssMb,
    duck: duck.plain,
    duckDistinct: duck.distinct,
    duckRows: duck.rows,
    duckCopy: duck.copy,
  };
}

function report(f: Figures): boolean {
  const o = f.ours;
  const stored = o.groups.reduce((n, g) => n + g.records, 0);
  const curatedMb = o.groups.reduce((n, g) => n + g.bytes, 0) / 1e6;
  const agree = stored === f.duckRows && o.rows_read === ROWS;
  console.log(`
Ingest of ${fmt(ROWS)} ${f.label} (${fmt(f.bytes / 1e6, 1)} MB), best of ${RUNS} fresh processes
  ours: ingestObject, file stream → curated gzip on disk   ${o.seconds.toFixed(2)} s   ${fmt(ROWS / o.seconds)} rows/s   (CPU ${o.cpuSeconds.toFixed(2)} s)
  peak RSS (ours, worst of runs)                         ${f.worstRssMb.toFixed(0)} MB   (target < 512 MB)
  RSS after each tenth of the input (MB)                 ${o.rssByTenth.map((x) => x.toFixed(0)).join(' ')}
  DuckDB, read + GROUP BY day, queue (threads=1)         ${f.duck.toFixed(2)} s
  DuckDB, the same + count(DISTINCT id) (threads=1)      ${f.duckDistinct.toFixed(2)} s
  ratio ours / DuckDB GROUP BY                           ${(o.seconds / f.duck).toFixed(2)}×   (target ≤ 3×)
  ratio ours / DuckDB GROUP BY + distinct ids            ${(o.seconds / f.duckDistinct).toFixed(2)}×${
    f.duckCopy === undefined
      ? ''
      : `
  DuckDB writing the curated records (COPY … gzip json)  ${f.duckCopy.toFixed(2)} s   (same work as ours, 1 run; ratio ${(o.seconds / f.duckCopy).toFixed(2)}×)`
  }
  rows read / accepted / duplicate / quarantined         ${fmt(o.rows_read)} / ${fmt(o.rows_accepted)} / ${fmt(o.rows_duplicate)} / ${fmt(o.rows_quarantined)}
  curated                                                ${o.groups.map((g) => `${g.kind} ${g.date}: ${fmt(g.records)} records`).join(', ')}; ${curatedMb.toFixed(1)} MB gzip
  cross-check stored records / DuckDB valid rows         ${agree ? `equal (${fmt(stored)})` : `DIFFERENT: ours ${fmt(stored)}, DuckDB ${fmt(f.duckRows)}`}`);
  return agree;
}

export async function ingestBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kpi-bench-ingest-'));
  const outDir = join(dir, 'curated');
  await mkdir(outDir);
  try {
    console.log(
      `\n${machine()}, load average ${loadavg()[0]?.toFixed(2)}\nGenerating ${fmt(ROWS)} contacts of one centre-day in ${dir} …`,
    );
    const csv = join(dir, 'contacts.csv');
    await writeBenchCsv(csv, ROWS);
    const copy =
      process.env.BENCH_DUCK_COPY === '0' ? undefined : csvCopySql(csv, join(dir, 'duck.ndjson.gz'));
    let ok = report(await measureFile('row canonical CSV', csv, outDir, csvSql, copy));
    if (process.env.BENCH_CTR !== '0') {
      const ctr = join(dir, 'ctr.ndjson.gz');
      await writeBenchCtr(ctr, ROWS);
      ok = report(await measureFile('Connect contact records (gzip NDJSON)', ctr, outDir, ctrSql)) && ok;
    }
    console.log(
      `load average at the end ${loadavg()[0]?.toFixed(2)} (a shared machine makes wall times noisy)`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}
